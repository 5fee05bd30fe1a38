import { useState } from 'react';
import { useStudio } from '../../store';
import { loadModel } from '../../store/slices/model';
import { Button } from '../components/Button';
import { autoloadEnabled, setAutoloadEnabled } from './autoload';
import { BUILTIN_NAME, builtinSource } from './sources';

/** The default: the small model that ships with the studio. One click, nothing leaves the machine. */
export function BuiltinSource() {
  const busy = useStudio((s) => s.modelLoading !== null);
  const loaded = useStudio((s) => s.modelInfo?.name === BUILTIN_NAME);
  const [autoload, setAutoload] = useState(autoloadEnabled);
  return (
    <div className="mdl-source" data-testid="source-builtin">
      <p>
        <strong>Studio Base</strong> is a small language model pretrained for this studio and served with the app
        itself: it loads in seconds, works offline and is a good first model for trying fine-tuning and loss masking.
      </p>
      <div className="mdl-actions">
        <Button variant="primary" onClick={() => void loadModel(builtinSource())} disabled={busy} data-testid="load-builtin">
          {loaded ? 'Load Studio Base again' : 'Load Studio Base'}
        </Button>
        <label className="chk">
          <input
            type="checkbox"
            checked={autoload}
            onChange={(e) => {
              setAutoload(e.target.checked);
              setAutoloadEnabled(e.target.checked);
            }}
            data-testid="autoload-builtin"
          />
          Load it when the studio opens
        </label>
      </div>
    </div>
  );
}
