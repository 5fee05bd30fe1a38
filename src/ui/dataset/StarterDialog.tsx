import { useState } from 'react';
import { addStarterDatasets, STARTERS } from '../../data/starter';
import { useStudio } from '../../store';
import { Button } from '../components/Button';
import { Dialog } from './Dialog';
import { plural } from '../shell/plural';

/** Lets the user add any of the starter datasets (each becomes a new, editable dataset). */
export function StarterDialog({ onClose }: { onClose: () => void }) {
  const [chosen, setChosen] = useState(() => new Set(STARTERS.map((s) => s.name)));
  const guard = useStudio((s) => s.guard);
  const setActive = useStudio((s) => s.setActiveDataset);
  return (
    <Dialog title="Starter datasets" onClose={onClose} testId="starter-dialog">
      <p className="ds-muted">Small datasets written for the studio. Each is added as a new dataset you can edit freely.</p>
      <ul className="ds-starters">
        {STARTERS.map((s) => (
          <li key={s.name}>
            <label>
              <input
                type="checkbox"
                checked={chosen.has(s.name)}
                onChange={(e) => {
                  const next = new Set(chosen);
                  if (e.target.checked) next.add(s.name);
                  else next.delete(s.name);
                  setChosen(next);
                }}
              />
              <span>
                <strong>{s.name.replace('Starter · ', '')}</strong> <span className="ds-muted">· {plural(s.examples.length, 'example')}</span>
                <br />
                <span className="ds-muted">{s.description}</span>
              </span>
            </label>
          </li>
        ))}
      </ul>
      <div className="ds-dialog__actions">
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="primary"
          disabled={chosen.size === 0}
          onClick={async () => {
            const first = await guard(() => addStarterDatasets(STARTERS.filter((s) => chosen.has(s.name))));
            if (first) setActive(first);
            onClose();
          }}
        >
          Add {chosen.size} dataset{chosen.size === 1 ? '' : 's'}
        </Button>
      </div>
    </Dialog>
  );
}
