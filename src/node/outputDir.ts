/**
 * Output directories of the CLI (train's adapter or model folder), checked before any work and replaced as a unit.
 *
 * checkOutputDir, before training: --out must not be a file, must not be (or contain) an input — the base model or the
 * dataset — since replacing it would destroy it, may only hold what a previous run wrote there, and its parent must be
 * writable (probed by creating the temporary sibling the output will be written to).
 *
 * replaceOutputDir, after training: the whole output is written into a temporary sibling `.NAME.studio-new-PID`, then
 * swapped in: the old folder is renamed aside (`.NAME.studio-old-PID`) and the new one renamed to NAME, then the old
 * one removed. A reader therefore sees the old output, no output, or the new output — never new weights with an old
 * adapter_config.json. A run killed between the two renames leaves no NAME: readers refuse it (describeMissingOutput
 * says why), and the next checkOutputDir completes the swap (the new folder was complete before the first rename).
 *
 * OutputFile does the same for one file (labels --out): checked before the work, written to a temporary sibling,
 * renamed into place when complete.
 */
import { closeSync, existsSync, linkSync, copyFileSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';

/** Written into every README.md the CLI puts in an output folder; marks a folder as one of ours. */
export const OUTPUT_MARKER = 'Trained with the WebGPU fine-tuning studio CLI';

/** Names a train output folder may hold (anything else means the folder is not ours to replace). */
const OUR_FILES = new Set([
  'adapter_config.json', 'adapter_model.safetensors', 'README.md', 'checkpoint', 'config.json', 'model.safetensors',
  'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json', 'vocab.json', 'merges.txt', 'tokenizer.model',
]);
const WEIGHTS = ['adapter_model.safetensors', 'model.safetensors'];

/** Test hook: kill the process between the two renames of the swap (STUDIO_FAULT=output-swap). */
const FAULT = 'output-swap';

const sibling = (dir: string, kind: 'new' | 'old', pid: number | string = process.pid) => join(dirname(dir), `.${basename(dir)}.studio-${kind}-${pid}`);

function siblings(dir: string, kind: 'new' | 'old'): string[] {
  const parent = dirname(dir), prefix = `.${basename(dir)}.studio-${kind}-`;
  if (!existsSync(parent) || !statSync(parent).isDirectory()) return [];
  return readdirSync(parent).filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length))).map((n) => join(parent, n));
}

const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
const inside = (child: string, parent: string) => {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

/** Finishes or discards what an interrupted replaceOutputDir left next to `dir`. */
export function recoverOutputDir(dir: string): void {
  const olds = siblings(dir, 'old'), news = siblings(dir, 'new');
  if (!existsSync(dir) && olds.length && news.length) {
    // Killed between the renames: the new output was complete before the old one was moved aside.
    const pid = basename(olds[olds.length - 1]).split('-').pop()!;
    const done = news.find((n) => n === sibling(dir, 'new', pid));
    if (done) renameSync(done, dir);
  }
  for (const p of [...siblings(dir, 'old'), ...siblings(dir, 'new')]) rmSync(p, { recursive: true, force: true });
}

/**
 * Refuses an --out that cannot or must not be written (see the header), before any work. `inputs` are the paths the
 * run reads, by what they are ("the model directory", "the dataset"). Completes or discards an interrupted swap.
 */
export function checkOutputDir(dir: string, inputs: { path: string; what: string }[], flag = '--out'): void {
  const out = real(dir);
  for (const input of inputs) {
    const p = real(input.path);
    if (p === out) throw new Error(`${flag} ${dir} is ${input.what}: the output would overwrite it; choose another directory`);
    if (inside(p, out)) throw new Error(`${flag} ${dir} contains ${input.what} (${input.path}): replacing the output would delete it; choose another directory`);
  }
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new Error(`${flag} ${dir} is a file; give a directory (it is created if missing)`);
  recoverOutputDir(dir);
  if (existsSync(dir)) {
    const names = readdirSync(dir);
    const foreign = names.filter((n) => !OUR_FILES.has(n));
    if (foreign.length)
      throw new Error(`${flag} ${dir} already holds files a training run did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}); give a new or empty directory`);
    const readme = join(dir, 'README.md');
    if (WEIGHTS.some((w) => names.includes(w)) && !(existsSync(readme) && readFileSync(readme, 'utf8').includes(OUTPUT_MARKER)))
      throw new Error(`${flag} ${dir} holds a model or adapter this CLI did not write; give a new or empty directory (it would be replaced)`);
  }
  // Writable? Create (and remove) the very folder the output will be written to.
  probe(dir, flag, () => {
    mkdirSync(dirname(resolve(dir)), { recursive: true });
    mkdirSync(sibling(dir, 'new'));
    rmSync(sibling(dir, 'new'), { recursive: true, force: true });
  });
}

function probe(path: string, flag: string, attempt: () => void): void {
  try {
    attempt();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : code === 'ENOTDIR' || code === 'EEXIST' ? 'a part of the path is a file' : code === 'ENOSPC' ? 'the disk is full' : (e as Error).message;
    throw new Error(`${flag} ${path} cannot be written (${why} in ${dirname(resolve(path))})`, { cause: e });
  }
}

/** A file output, checked before the work (see checkOutputFile) and renamed into place only when complete. */
export class OutputFile {
  private readonly tmp: string;
  private fd: number | null;

  constructor(readonly path: string) {
    this.tmp = sibling(path, 'new');
    this.fd = openSync(this.tmp, 'w');
  }

  write(data: string | Uint8Array): void {
    if (typeof data === 'string') writeSync(this.fd!, data);
    else for (let at = 0; at < data.length; ) at += writeSync(this.fd!, data, at);
  }

  commit(): void {
    closeSync(this.fd!);
    this.fd = null;
    renameSync(this.tmp, this.path);
  }

  abort(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.tmp, { force: true });
  }
}

/** Refuses an output file path that is a directory, an input, or not writable — before any work. */
export function checkOutputFile(path: string, inputs: { path: string; what: string }[], flag = '--out'): void {
  for (const input of inputs)
    if (real(input.path) === real(path)) throw new Error(`${flag} ${path} is ${input.what}: it would be overwritten; choose another file`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new Error(`${flag} ${path} is a directory; give a file name (e.g. ${join(path, 'labels.jsonl')})`);
  if (!existsSync(dirname(resolve(path)))) throw new Error(`${flag} ${path}: the directory ${dirname(resolve(path))} does not exist`);
  probe(path, flag, () => new OutputFile(path).abort());
}

/**
 * Writes a whole output folder with `write(tmpDir)` and swaps it in for `dir` (see the header). `carry` names entries of
 * the old folder to keep (e.g. the training checkpoint): they are hard-linked (copied across devices) into the new one.
 */
export function replaceOutputDir(dir: string, write: (tmp: string) => void, carry: string[] = []): void {
  recoverOutputDir(dir);
  const tmp = sibling(dir, 'new'), old = sibling(dir, 'old');
  mkdirSync(dirname(resolve(dir)), { recursive: true });
  mkdirSync(tmp);
  try {
    write(tmp);
    for (const name of carry) if (existsSync(join(dir, name))) linkTree(join(dir, name), join(tmp, name));
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const hadOld = existsSync(dir);
  if (hadOld) renameSync(dir, old);
  if (process.env.STUDIO_FAULT === FAULT) process.kill(process.pid, 'SIGKILL');
  renameSync(tmp, dir);
  if (hadOld) rmSync(old, { recursive: true, force: true });
}

function linkTree(src: string, dst: string): void {
  if (statSync(src).isDirectory()) {
    mkdirSync(dst);
    for (const n of readdirSync(src)) linkTree(join(src, n), join(dst, n));
    return;
  }
  try {
    linkSync(src, dst);
  } catch {
    copyFileSync(src, dst);
  }
}

/** Why `dir` is missing, when an interrupted write is the reason (for readers' messages), else null. */
export function describeMissingOutput(dir: string): string | null {
  if (existsSync(dir)) return null;
  if (!siblings(dir, 'old').length && !siblings(dir, 'new').length) return null;
  return `writing ${dir} was interrupted (its previous and new versions are in hidden .${basename(dir)}.studio-* folders next to it); run the same train command again to finish it`;
}
