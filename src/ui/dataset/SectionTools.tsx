import { useState } from 'react';
import type { Dataset, Example } from '../../data/types';
import { Button } from '../components/Button';
import { ExportDialog } from './ExportDialog';
import { ImportDialog } from './ImportDialog';
import { StatsDialog } from './StatsDialog';
import { GrowDialog } from './grow/GrowDialog';

/** Dataset-level tools in the section header: import, export, statistics/split, grow data. */
export function SectionTools({ dataset, examples, shown }: { dataset: Dataset | null; examples: Example[]; shown: Example[] }) {
  const [open, setOpen] = useState<null | 'stats' | 'import' | 'export' | 'grow'>(null);
  const close = () => setOpen(null);
  return (
    <>
      <Button size="sm" onClick={() => setOpen('import')} data-testid="open-import">Import</Button>
      <Button size="sm" onClick={() => setOpen('export')} disabled={!dataset || examples.length === 0} data-testid="open-export">Export</Button>
      <Button size="sm" onClick={() => setOpen('stats')} disabled={!dataset} data-testid="open-stats">Statistics & split</Button>
      <Button size="sm" onClick={() => setOpen('grow')} disabled={!dataset} data-testid="open-grow">Grow data</Button>
      {open === 'import' && <ImportDialog dataset={dataset} datasetSize={examples.length} onClose={close} />}
      {open === 'export' && dataset && <ExportDialog dataset={dataset} examples={examples} shown={shown} onClose={close} />}
      {open === 'stats' && dataset && <StatsDialog dataset={dataset} examples={examples} onClose={close} />}
      {open === 'grow' && dataset && <GrowDialog dataset={dataset} examples={examples} onClose={close} />}
    </>
  );
}
