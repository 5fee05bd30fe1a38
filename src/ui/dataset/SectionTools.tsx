import { useState } from 'react';
import type { Dataset, Example } from '../../data/types';
import { Button } from '../components/Button';
import { StatsDialog } from './StatsDialog';

/** Dataset-level tools in the section header: statistics/split, import, export. */
export function SectionTools({ dataset, examples }: { dataset: Dataset; examples: Example[] }) {
  const [open, setOpen] = useState<null | 'stats'>(null);
  return (
    <>
      <Button size="sm" onClick={() => setOpen('stats')} data-testid="open-stats">Statistics & split</Button>
      {open === 'stats' && <StatsDialog dataset={dataset} examples={examples} onClose={() => setOpen(null)} />}
    </>
  );
}
