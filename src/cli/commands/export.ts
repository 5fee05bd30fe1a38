/**
 * `export`: a model folder (optionally + a PEFT adapter) as a merged Hugging Face folder, a GGUF (+ Ollama
 * Modelfile), or a llama.cpp LoRA adapter GGUF beside the base GGUF. Weights stream tensor by tensor from the
 * checkpoint; the output appears only when complete (staging folder renamed), and a full disk or Ctrl+C leaves
 * nothing behind.
 */
import { basename, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { optionalString, parseArgs, requireString } from '../args.ts';
import { checkFlags, readJsonFile, switchFlag } from '../common.ts';
import { exitCodeOf, onInterrupt } from '../signals.ts';
import { openModelDir, readAdapterDir } from '../../node/modelDir.ts';
import { DirSink } from '../../node/exportDir.ts';
import { checkpointWeights } from '../../engine/export/weights.ts';
import { EXPORT_FORMATS, exportFiles, type ExportFormat } from '../../engine/export/plan.ts';
import { bytesFile, formatSize, runExport, type PlannedFile } from '../../engine/export/sink.ts';
import { ggufArchFor } from '../../engine/export/ggufArch.ts';
import type { WeightDtype } from '../../engine/io/safetensors.ts';

export const summary = 'merge an adapter into its base and write a Hugging Face folder or GGUF (--model [--adapter] --out)';

const HELP = `Usage: npm run cli -- export --model DIR [--adapter DIR] --out DIR [options]
  --model DIR          the base model (config.json + *.safetensors + tokenizer files), or a model written by train --full
  --adapter DIR        a PEFT LoRA adapter to merge in (hf, gguf) or to convert (gguf-adapter)
  --out DIR            a new (or empty) folder; it appears only when every file is complete
  --format F           hf (default): config.json, model.safetensors or model-0000N-of-0000M.safetensors + index,
                       tokenizer files, generation_config.json, README.md
                       gguf: one GGUF of the (merged) model + an Ollama Modelfile (FROM)
                       gguf-adapter: the adapter as a llama.cpp LoRA GGUF + the base model GGUF + Modelfile (FROM + ADAPTER)
  --dtype D            f32 | f16 | bf16: hf: store every tensor so (default: as the base checkpoint stores them);
                       gguf: the matrices' type (default f16; norms stay f32)
  --max-shard-size N   hf: largest shard in bytes (default 2000000000; K/M/G suffixes allowed)
  --no-base            gguf-adapter: leave out the base model GGUF (the Modelfile then says where to point FROM)
  --name NAME          name in the README and GGUF metadata (default: the output folder's name)
Families llama.cpp's layout we do not write (GGUF) are refused with the reason; hf works for every family.`;

const KNOWN = ['help', 'model', 'adapter', 'out', 'format', 'dtype', 'max-shard-size', 'no-base', 'name'];
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.json', 'merges.txt', 'tokenizer.model'];

function size(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)B?$/i.exec(v.trim());
  if (!m) throw new Error(`--max-shard-size must be a byte count such as 500M or 2G, got "${v}"`);
  return Math.round(Number(m[1]) * { '': 1, K: 1e3, M: 1e6, G: 1e9 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G']);
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args);
  if (p.flags.has('help')) {
    console.log(HELP);
    return 0;
  }
  checkFlags(p, KNOWN, 'export');
  const modelDir = requireString(p, 'model');
  const out = requireString(p, 'out');
  const format = (optionalString(p, 'format') ?? 'hf') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new Error(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got "${format}"`);
  const d = optionalString(p, 'dtype')?.toUpperCase();
  if (d !== undefined && !['F32', 'F16', 'BF16'].includes(d)) throw new Error(`--dtype must be f32, f16 or bf16, got "${d.toLowerCase()}"`);
  const adapterDir = optionalString(p, 'adapter');
  if (format === 'gguf-adapter' && !adapterDir) throw new Error('--format gguf-adapter needs --adapter DIR');

  const model = await openModelDir(modelDir);
  if (format !== 'hf') ggufArchFor(model.config); // refuse before reading anything
  const adapter = adapterDir ? readAdapterDir(adapterDir, model.config) : null;
  const nameOr = typeof model.configJson._name_or_path === 'string' && model.configJson._name_or_path ? model.configJson._name_or_path : basename(resolve(modelDir));
  const adapterBase = adapter?.config.baseModelNameOrPath;
  const tokenizerJson = readJsonFile(`${modelDir}/tokenizer.json`, 'tokenizer.json');
  const tokenizerConfig = existsSync(`${modelDir}/tokenizer_config.json`) ? readJsonFile(`${modelDir}/tokenizer_config.json`, 'tokenizer_config.json') : {};
  const tokenizerFiles: PlannedFile[] = TOKENIZER_FILES.filter((f) => existsSync(`${modelDir}/${f}`)).map((f) => bytesFile(f, new Uint8Array(readFileSync(`${modelDir}/${f}`))));
  const base = await checkpointWeights(model.config, model.source);
  const files = exportFiles({
    format, dtype: d as WeightDtype | undefined, baseName: adapterBase || nameOr, name: optionalString(p, 'name') ?? basename(resolve(out)),
    config: model.config, configJson: model.configJson, base, lora: adapter, full: null,
    tokenizerJson, tokenizerConfig, generationConfig: model.generationConfig, tokenizerFiles,
    tokenizerModel: existsSync(`${modelDir}/tokenizer.model`) ? new Uint8Array(readFileSync(`${modelDir}/tokenizer.model`)) : null,
    includeBase: !switchFlag(p, 'no-base'), maxShardBytes: size(optionalString(p, 'max-shard-size')),
  });
  const total = files.reduce((a, f) => a + f.size, 0);
  const sink = new DirSink(out);
  sink.checkSpace(total);
  const ac = new AbortController();
  let stoppedBy: 'SIGINT' | 'SIGTERM' = 'SIGINT';
  const off = onInterrupt((signal) => {
    stoppedBy = signal;
    ac.abort(new Error('cancelled: nothing was written'));
  });
  let last = 0;
  try {
    const written = await runExport(sink, files, {
      signal: ac.signal,
      onProgress: (pr) => {
        if (process.stderr.isTTY && Date.now() - last > 200) {
          last = Date.now();
          process.stderr.write(`\r${pr.file}  ${formatSize(pr.done)} / ${formatSize(pr.total)}   `);
        }
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    for (const f of written) console.log(`${f.name.padEnd(40)} ${formatSize(f.size)}`);
    console.log(`${format === 'hf' ? 'Hugging Face folder' : 'GGUF'} written to ${out} (${formatSize(total)})`);
    return 0;
  } catch (e) {
    if (ac.signal.aborted) {
      console.error(`\nerror: ${(ac.signal.reason as Error).message}`);
      return exitCodeOf(stoppedBy);
    }
    throw e;
  } finally {
    off();
  }
}
