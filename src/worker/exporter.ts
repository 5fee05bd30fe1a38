/**
 * The Worker's side of exports: the merged model / GGUF of a run (or of the base model) and the cluster hand-off,
 * streamed tensor by tensor from the loaded model's checkpoint (re-read from its files, the hub cache or the built-in
 * Blob) into a folder the user picked or a .zip. Full-parameter runs trained in this tab keep their weights here
 * until the model changes, so they can be exported too.
 */
import { checkpointWeights, type WeightSource } from '../engine/export/weights';
import { exportFiles } from '../engine/export/plan';
import { hfModelFiles } from '../engine/export/hfModel';
import { runExport, textFile, type ExportSink, type PlannedFile } from '../engine/export/sink';
import { BlobZipSink, DirectoryHandleSink, freeFolderName } from '../engine/export/browserSinks';
import { ModelCache } from '../engine/io/cache';
import { prepareHandoff } from '../handoff/recipe';
import { firstBatchLoss } from '../handoff/firstBatch';
import { handoffFiles } from '../handoff/handoff';
import type { ExportEvent, ExportRequest, ExportTarget } from './exportProtocol';
import type { LoadedModel, Session } from './session';

type Post = (e: ExportEvent, transfer?: Transferable[]) => void;

/** Weights of full-parameter runs trained in this tab, by run id (dropped when another model loads). */
const fullRuns = new Map<string, { model: LoadedModel; values: Map<string, Float32Array> }>();
let current: AbortController | null = null;

export function holdFullRun(s: Session, runId: string, values: Map<string, Float32Array>): void {
  const model = s.requireModel();
  for (const [id, r] of fullRuns) if (r.model !== model) fullRuns.delete(id);
  fullRuns.set(runId, { model, values });
}

export function cancelExport(): void {
  current?.abort(new DOMException('The export was cancelled.', 'AbortError'));
}

async function baseWeights(m: LoadedModel, signal: AbortSignal): Promise<WeightSource> {
  if (!m.checkpoint) throw new Error('This model was loaded before exports existed; load it again to export.');
  const cache = m.checkpoint.kind === 'hub' ? await ModelCache.open() : null;
  return checkpointWeights(m.config, m.checkpoint, { signal, cache });
}

function configJsonOf(m: LoadedModel): Record<string, unknown> {
  return (m.configJson ?? {}) as Record<string, unknown>;
}

async function sinkFor(t: ExportTarget): Promise<{ sink: ExportSink; folder: string; zip: BlobZipSink | null }> {
  if (t.kind === 'zip') {
    const zip = new BlobZipSink(t.folder);
    return { sink: zip, folder: t.folder, zip };
  }
  const folder = await freeFolderName(t.handle, t.folder);
  return { sink: new DirectoryHandleSink(t.handle, folder), folder, zip: null };
}

async function write(id: number, target: ExportTarget, files: PlannedFile[], signal: AbortSignal, post: Post, extra: { firstBatchLoss?: number } = {}): Promise<void> {
  const { sink, folder, zip } = await sinkFor(target);
  let last = 0;
  const written = await runExport(sink, files, {
    signal,
    onProgress: (p) => {
      const now = performance.now();
      if (now - last < 100 && p.done < p.total) return;
      last = now;
      post({ id, type: 'exportProgress', ...p });
    },
  });
  post({ id, type: 'exportDone', files: written, folder, zip: zip ? zip.result() : null, ...extra });
}

export async function handleExport(s: Session, req: Exclude<ExportRequest, { type: 'cancelExport' }>, post: Post): Promise<void> {
  if (current) throw new Error('Another export is in progress; wait for it or cancel it.');
  const ac = (current = new AbortController());
  try {
    const m = s.requireModel();
    const base = await baseWeights(m, ac.signal);
    const tok = { tokenizerJson: m.info.tokenizerJson, tokenizerConfig: m.info.tokenizerConfig, tokenizerModel: m.tokenizerModel ?? null };
    if (req.type === 'exportModel') {
      const held = req.runId ? s.adapters.get(req.runId) : null;
      const full = req.runId ? fullRuns.get(req.runId) : null;
      if (req.runId && !held && !full) throw new Error('This run\'s weights are not in this tab: adapters are loaded from the run list, but a full-parameter run\'s weights exist only in the tab that trained it, until another model is loaded. Train it again to export it.');
      if (full && full.model !== m) throw new Error('This full-parameter run was trained on another model load; load that model again and retrain to export it.');
      const files = exportFiles({
        format: req.format, dtype: req.dtype, baseName: m.info.name, name: req.name, config: m.config, configJson: configJsonOf(m), base,
        lora: held ?? null, full: full?.values ?? null, ...tok, generationConfig: m.info.generationConfig,
        includeBase: req.includeBase, maxShardBytes: req.maxShardBytes, runFacts: req.runFacts,
      });
      await write(req.id, req.target, files, ac.signal, post);
      return;
    }
    // The cluster hand-off: the run's data labelled as the trainer labels it, and the first-batch loss from the GPU.
    const prepared = prepareHandoff(m.tokenizer, req.examples, req.config, m.config, m.info.name);
    const first = await firstBatchLoss(s.gpu, m.config, m.weights.weights, prepared.firstBatch);
    const hub = m.checkpoint?.kind === 'hub';
    const baseModelFiles = hub ? undefined : hfModelFiles({
      config: m.config, configJson: configJsonOf(m), weights: base, generationConfig: m.info.generationConfig ?? undefined, readme: `# ${m.info.name}\n\nThe base model of this hand-off.\n`,
      extraFiles: [textFile('tokenizer.json', JSON.stringify(tok.tokenizerJson)), textFile('tokenizer_config.json', JSON.stringify(tok.tokenizerConfig, null, 2) + '\n')],
    });
    const { files } = handoffFiles({
      runName: req.runName, baseName: m.info.name, loadFrom: hub ? m.info.name : 'base_model', model: m.config, run: req.config, examples: req.examples, prepared,
      firstBatch: first, baseModelFiles,
    });
    await write(req.id, req.target, files, ac.signal, post, { firstBatchLoss: first.loss });
  } finally {
    current = null;
  }
}
