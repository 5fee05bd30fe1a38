/**
 * `labels`: build the exact training labels for a dataset, as the trainer will, and show them.
 * Writes one JSON line per example, {"input_ids": [...], "labels": [...]} (unshifted, -100 = no loss), and prints the
 * first examples with trained tokens highlighted. Bad rows and unlabelable examples go to stderr with their line.
 * Assistant turns marked not trained (weight 0) are masked in every mode, exactly as `train` masks them.
 */
import { optionalNumber, optionalString, parseArgs, requireString, type ParsedArgs } from '../args.ts';
import { checkFlags, loadDirTokenizer, resolveTemplate, specialTokensFlag } from '../common.ts';
import { checkDataFile, noRowsMessage, readRows } from '../dataset.ts';
import { FORMAT_IDS, type FormatId } from '../../data/formats/index.ts';
import { LabelError, buildLabels, type LabelOptions } from '../../data/labels.ts';
import { renderLabeled } from '../../data/labels-render.ts';
import { TEMPLATE_PRESETS } from '../../data/templates.ts';
import type { MaskMode } from '../../data/types.ts';
import { OutputFile, checkOutputFile } from '../../node/outputDir.ts';

export const summary = 'show and export the exact trained tokens of a dataset (--model --data --mode [--out])';

const MODES: MaskMode[] = ['assistant-only', 'completion-only', 'full', 'last-turn', 'per-turn-weights'];

const HELP = `Usage: npm run cli -- labels --model DIR --data FILE --mode MODE [options]
  --model DIR          folder with tokenizer.json and tokenizer_config.json
  --data FILE          dataset in any supported format (Alpaca, ShareGPT, OpenAI, TRL, Dolly, text; JSON/JSONL/CSV)
  --mode MODE          ${MODES.join(' | ')}
  --template NAME|FILE a preset (${TEMPLATE_PRESETS.map((p) => p.id).join(', ')}) or a Jinja file; default: the tokenizer's chat template
  --system TEXT        default system prompt for examples without one
  --format ID          force the dataset format (${FORMAT_IDS.join(', ')})
  --max-length N       truncate longer examples from the right (with a warning)
  --no-train-eos       do not train the end-of-turn token after each response
  --special-tokens keep|escape
                       special-token strings typed in message text (e.g. <|im_end|> in an answer): keep them as the
                       control token (default, with a warning per example) or escape them to plain characters
  --out FILE.jsonl     write {"input_ids": [...], "labels": [...]} per example
  --show N|all         how many examples to print (default 3)
  --color / --no-color force colored / plain rendering (default: colored on a terminal)`;

const KNOWN = ['help', 'model', 'data', 'mode', 'template', 'system', 'format', 'max-length', 'no-train-eos', 'special-tokens', 'out', 'show', 'color', 'no-color'];

function labelOptions(p: ParsedArgs): LabelOptions {
  const mode = requireString(p, 'mode') as MaskMode;
  if (!MODES.includes(mode)) throw new Error(`--mode must be one of ${MODES.join(', ')}, got "${mode}"`);
  const opts: LabelOptions = { mode, trainEos: !p.flags.has('no-train-eos'), template: resolveTemplate(optionalString(p, 'template')) };
  const system = optionalString(p, 'system');
  if (system !== undefined) opts.systemPrompt = system;
  const specials = specialTokensFlag(p);
  if (specials) opts.specialTokensInText = specials;
  if (p.flags.has('max-length')) {
    const n = optionalNumber(p, 'max-length', 0);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--max-length must be a positive integer, got ${n}`);
    opts.maxLength = n;
  }
  return opts;
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args);
  if (p.flags.has('help')) {
    console.log(HELP);
    return 0;
  }
  checkFlags(p, KNOWN, 'labels');
  const modelDir = requireString(p, 'model');
  const dataPath = requireString(p, 'data');
  const opts = labelOptions(p);
  const format = optionalString(p, 'format') as FormatId | undefined;
  if (format !== undefined && !FORMAT_IDS.includes(format)) throw new Error(`--format must be one of ${FORMAT_IDS.join(', ')}`);
  const showArg = optionalString(p, 'show') ?? '3';
  const show = showArg === 'all' ? Infinity : Number(showArg);
  if (!(show >= 0)) throw new Error(`--show must be a number or "all", got "${showArg}"`);
  const color = p.flags.has('color') || (!p.flags.has('no-color') && !process.env.NO_COLOR && process.stdout.isTTY === true);
  // Inputs and the output are checked before any work; the output is written beside and renamed in when complete.
  checkDataFile(dataPath);
  const outPath = optionalString(p, 'out');
  if (outPath !== undefined) checkOutputFile(outPath, [{ path: dataPath, what: 'the dataset (--data)' }]);
  const tokenizer = await loadDirTokenizer(modelDir);
  const out = outPath ? new OutputFile(outPath) : null;

  let labeled = 0;
  let failed = 0;
  let trained = 0;
  let total = 0;
  let masked = 0;
  let summary;
  try {
    summary = await readRows(dataPath, format, (row) => {
      let ex;
      try {
        ex = buildLabels(tokenizer, row.body, opts);
      } catch (e) {
        if (!(e instanceof LabelError)) throw e;
        console.error(`line ${row.line}: ${e.message}`);
        failed++;
        return;
      }
      labeled++;
      trained += ex.trainedCount;
      if (ex.targetCount === 0) masked++;
      total += ex.inputIds.length;
      out?.write(JSON.stringify({ input_ids: ex.inputIds, labels: ex.labels }) + '\n');
      if (labeled <= show) console.log(renderLabeled(tokenizer, ex, { color, title: `example ${labeled} (line ${row.line})` }) + '\n');
      else for (const w of ex.warnings) console.error(`line ${row.line}: warning: ${w}`);
    });
    out?.commit();
  } catch (e) {
    out?.abort();
    throw e;
  }
  const pct = total ? ((100 * trained) / total).toFixed(1) : '0';
  console.error(
    `${labeled} example${labeled === 1 ? '' : 's'} labeled (${trained} of ${total} tokens trained, ${pct}%)` +
      (summary.badRows ? `, ${summary.badRows} bad row${summary.badRows === 1 ? '' : 's'}` : '') +
      (failed ? `, ${failed} could not be labeled` : '') +
      (masked ? `, ${masked} fully masked (all -100 after the shift: \`train\` skips ${masked === 1 ? 'it' : 'them'})` : '') +
      (outPath ? ` → ${outPath}` : ''),
  );
  if (labeled === 0) {
    // "See above" only when something above says why.
    console.error(`error: ${summary.rows === 0 && summary.badRows === 0 ? noRowsMessage(dataPath, summary) : 'no example could be labeled (see the reasons above)'}`);
    return 1;
  }
  return 0;
}
