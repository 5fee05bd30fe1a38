import { useLiveQuery } from 'dexie-react-hooks';
import { useStudio } from '../../store';
import { setTrainForm } from '../../store/slices/train';
import { listRuns } from '../../db/runs';
import { SelectField } from './fields';

/**
 * "Start from": a fresh LoRA, or the adapter of an earlier run / an imported adapter for the loaded model. Continuing
 * takes the adapter's rank, alpha, target modules and rsLoRA (its values are step 0 of the new run, with a fresh
 * optimizer and schedule), so those fields are overridden; the controller checks the adapter against the model.
 */
export function StartFromAdapter({ locked }: { locked: boolean }) {
  const modelName = useStudio((s) => s.modelInfo?.name ?? null);
  const chosen = useStudio((s) => s.trainForm.initAdapter ?? '');
  const runs = useLiveQuery(listRuns, []);
  const usable = (runs ?? []).filter((r) => r.adapter && r.modelName === modelName);
  const stale = chosen !== '' && runs !== undefined && !usable.some((r) => r.id === chosen);
  return (
    <SelectField
      label="Start from"
      testId="train-init-adapter"
      disabled={locked}
      value={stale ? '' : chosen}
      onChange={(v) => setTrainForm({ initAdapter: v || null })}
      hint={chosen && !stale ? 'Continues this adapter: its rank, alpha, target modules and rsLoRA replace the fields here.' : 'A new adapter (B = 0), or continue one trained or imported earlier.'}
      options={[{ value: '', label: 'A fresh adapter' }, ...usable.map((r) => ({ value: r.id, label: `${r.name}${r.status === 'imported' ? ' (imported)' : ''}` }))]}
    />
  );
}
