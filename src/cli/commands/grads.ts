/**
 * `grads`: one forward + backward with no update, for checking our numbers against PyTorch/PEFT.
 * Prints {"loss", "tokens"} (tokens = trained targets after the causal shift) and writes the gradient of every LoRA
 * tensor under the adapter's own key names.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, requireString } from '../args';
import { checkFlags } from '../common';
import { OutputFile, checkOutputFile } from '../../node/outputDir';
import { acquireNodeGpu } from '../../node/gpu';
import { openModelDir, readAdapterDir } from '../../node/modelDir';
import { loadModelWeights } from '../../engine/loadModel';
import { GpuTransformer } from '../../engine/transformer/model';
import { Recorder } from '../../engine/gpu/recorder';
import { readF32 } from '../../engine/gpu/buffers';
import { serializeSafetensors } from '../../engine/io/safetensors';

export const summary = 'one forward+backward: loss and every LoRA gradient (--model --adapter --batch --out)';

const HELP = `Usage: npm run cli -- grads --model DIR --adapter DIR --batch BATCH.json --out GRADS.safetensors
  BATCH.json: {"input_ids": [[...]], "labels": [[...]]} (rows of equal length; labels may hold -100; HF shift applies)
  Prints {"loss": <mean over trained targets>, "tokens": <trained targets>} on stdout. Dropout is off.`;

export function parseBatch(text: string): { inputIds: Int32Array; labels: Int32Array; B: number; T: number } {
  let j: { input_ids?: unknown; labels?: unknown };
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new Error(`batch file is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const rows = (v: unknown, name: string): number[][] => {
    if (!Array.isArray(v) || v.length === 0 || !v.every((r) => Array.isArray(r) && r.every((x) => Number.isInteger(x))))
      throw new Error(`"${name}" must be a non-empty array of integer arrays`);
    return v as number[][];
  };
  const ids = rows(j.input_ids, 'input_ids');
  const labels = j.labels === undefined ? ids : rows(j.labels, 'labels');
  const T = ids[0].length;
  if (T === 0) throw new Error('"input_ids" rows are empty');
  if (ids.some((r) => r.length !== T)) throw new Error('all "input_ids" rows must have the same length (pad them and mask the labels with -100)');
  if (labels.length !== ids.length || labels.some((r) => r.length !== T)) throw new Error('"labels" must have the same shape as "input_ids"');
  return { inputIds: Int32Array.from(ids.flat()), labels: Int32Array.from(labels.flat()), B: ids.length, T };
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args);
  if (p.flags.has('help')) {
    console.log(HELP);
    return 0;
  }
  checkFlags(p, ['help', 'model', 'adapter', 'batch', 'out'], 'grads');
  const model = await openModelDir(requireString(p, 'model'));
  const adapter = readAdapterDir(requireString(p, 'adapter'), model.config);
  const batchPath = requireString(p, 'batch');
  const batch = parseBatch(readFileSync(batchPath, 'utf8'));
  const out = requireString(p, 'out');
  checkOutputFile(out, [{ path: batchPath, what: 'the batch file (--batch)' }]);
  const gpu = await acquireNodeGpu({ onNotice: (m) => console.error(m) });
  // f32 base weights on every device: this command checks our numbers against PyTorch's, not f16 rounding.
  const { weights } = await loadModelWeights(gpu, model.config, { source: model.source, weightFormat: 'f32' });
  const net = new GpuTransformer(gpu, model.config, weights, {
    B: batch.B, T: batch.T, lora: { targets: adapter.targets, values: adapter.values, dropout: 0 },
  });
  const n = net.setBatch(batch, batch.B, batch.T);
  if (n === 0) throw new Error('the batch has no trained targets (every shifted label is -100)');
  const rec = new Recorder(gpu);
  net.zeroGrads(rec);
  net.forward(rec, { backward: true, lossScale: 1 / n });
  net.backward(rec);
  rec.submit();
  const loss = (await net.readLossSum()) / n;
  const tensors = [];
  for (const t of net.trainable()) {
    const target = adapter.targets.find((x) => x.keyA === t.name || x.keyB === t.name)!;
    const shape = t.name === target.keyA ? [target.r, target.inFeatures] : [target.outFeatures, target.r];
    tensors.push({ name: t.name, dtype: 'F32' as const, shape, data: await readF32(gpu.device, t.grad, 0, t.size) });
  }
  const file = new OutputFile(out);
  try {
    file.write(serializeSafetensors(tensors, { format: 'pt' }));
    file.commit();
  } catch (e) {
    file.abort();
    throw e;
  }
  console.log(JSON.stringify({ loss, tokens: n }));
  return 0;
}
