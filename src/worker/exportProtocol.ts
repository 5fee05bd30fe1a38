/** The export messages of the engine protocol (protocol.ts includes them): merged model / GGUF and the cluster hand-off. */
import type { ExportFormat } from '../engine/export/plan';
import type { WeightDtype } from '../engine/io/safetensors';
import type { TrainingExample } from '../train/data';
import type { RunConfig } from '../train/run';

/** Where the files go: a folder the user picked (File System Access API; a new subfolder is made in it) or a .zip. */
export type ExportTarget = { kind: 'directory'; handle: FileSystemDirectoryHandle; folder: string } | { kind: 'zip'; folder: string };

export type ExportRequest =
  /**
   * The model of a run (runId: its LoRA adapter, which the Worker must hold, merged in, or a full-parameter run's
   * weights trained in this tab), or the base model alone (runId null), in a format; answered by 'exportProgress'
   * events and one 'exportDone'.
   */
  | { id: number; type: 'exportModel'; runId: string | null; format: ExportFormat; dtype?: WeightDtype; name: string; target: ExportTarget; includeBase?: boolean; maxShardBytes?: number; runFacts?: [string, string][] }
  /** The cluster hand-off of a run's data and settings (answered like exportModel, with the first-batch loss). */
  | { id: number; type: 'exportRecipe'; runName: string; examples: TrainingExample[]; config: RunConfig; target: ExportTarget }
  /** Stop the export in progress: everything it wrote is removed (its request answers with a 'cancelled' error). */
  | { id: number; type: 'cancelExport' };

export type ExportEvent =
  | { id: number; type: 'exportProgress'; file: string; done: number; total: number }
  /** zip: the archive (target 'zip'); folder: the subfolder written (target 'directory'). */
  | { id: number; type: 'exportDone'; files: { name: string; size: number }[]; folder: string; zip: Blob | null; firstBatchLoss?: number };
