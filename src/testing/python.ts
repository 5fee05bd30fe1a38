/**
 * The Python interpreter of the live parity tests (real transformers + PEFT), or null when there is none and those
 * tests skip. Node only.
 *
 *   STUDIO_PYTHON=off   null (the Python tests skip);
 *   STUDIO_PYTHON set   that interpreter; it MUST import torch, transformers and peft (asked for explicitly, so a
 *                       broken one is an error, not a skip);
 *   else                .venv-py/bin/python when scripts/python-env.mjs finished it for the current
 *                       python/requirements.txt (its stamp .venv-py/studio-ready.json says so);
 *   else                null.
 *
 * runPythonJson runs one of the scripts in python/ with a JSON job and returns its JSON answer: one process per test
 * file, all cases batched, so the torch import (seconds) is paid once.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const PYTHON_DIR = join(ROOT, 'python');
const VENV_PY = join(ROOT, '.venv-py', 'bin', 'python');
const STAMP = join(ROOT, '.venv-py', 'studio-ready.json');

let cached: string | null | undefined;

export function pythonForTests(): string | null {
  if (cached !== undefined) return cached;
  const explicit = process.env.STUDIO_PYTHON;
  if (explicit === 'off') return (cached = null);
  if (explicit) {
    const r = spawnSync(explicit, ['-c', 'import torch, transformers, peft'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`STUDIO_PYTHON=${explicit} cannot import torch, transformers and peft: ${r.error?.message ?? r.stderr.trim().split('\n').at(-1)}`);
    return (cached = explicit);
  }
  cached = null;
  if (!existsSync(VENV_PY) || !existsSync(STAMP)) return cached;
  try {
    const stamp = JSON.parse(readFileSync(STAMP, 'utf8')) as { requirements?: string };
    const hash = createHash('sha256').update(readFileSync(join(PYTHON_DIR, 'requirements.txt'))).digest('hex').slice(0, 16);
    if (stamp.requirements === hash) cached = VENV_PY;
  } catch {
    // No usable stamp: the venv is not known to be complete.
  }
  return cached;
}

/** Why the Python tests skip (for a describe title), or '' when they run. */
export function pythonSkipReason(): string {
  return pythonForTests() ? '' : ' (skipped: no Python with torch/transformers/peft; run node scripts/python-env.mjs)';
}

/**
 * Runs python/<script> with the job written to a JSON file (argv[1]) and parses the JSON the script writes to the
 * file named by argv[2]. Throws with the script's stderr when it fails.
 */
export function runPythonJson<T>(script: string, job: unknown, timeoutMs = 300_000): T {
  const python = pythonForTests();
  if (!python) throw new Error('no Python for tests');
  const dir = mkdtempSync(join(tmpdir(), 'pyjob-'));
  const input = join(dir, 'job.json'), output = join(dir, 'out.json');
  writeFileSync(input, JSON.stringify(job));
  const r = spawnSync(python, [join(PYTHON_DIR, script), input, output], {
    encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 26,
    // Deterministic, quiet, offline: the scripts only read local folders.
    env: { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_VERBOSITY: 'error', TOKENIZERS_PARALLELISM: 'false', PYTHONHASHSEED: '0' },
  });
  if (r.status !== 0 || !existsSync(output)) throw new Error(`python/${script} failed (status ${r.status}${r.error ? `, ${r.error.message}` : ''}):\n${r.stderr}`);
  return JSON.parse(readFileSync(output, 'utf8')) as T;
}
