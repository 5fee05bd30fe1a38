#!/usr/bin/env node
/**
 * The Python environment of the live parity tests (src/python/*.test.ts, and train.py in src/handoff/handoff.test.ts):
 * a venv at .venv-py/ with the pinned packages of python/requirements.txt (torch CPU, transformers, PEFT, …).
 *
 *   node scripts/python-env.mjs          create or update it (idempotent: a ready venv is checked and left alone)
 *
 * It never fails the caller: when python3, venv/pip or the packages cannot be had (a machine without the package
 * mirror or network), it prints ONE line saying why and exits 0, and the Python tests skip. Readiness is recorded in
 * .venv-py/studio-ready.json (the requirements it was built from + the versions imported), written only after
 * `import torch, transformers, peft` succeeded, so an interrupted install is simply resumed next time.
 * src/testing/python.ts reads that stamp (pythonForTests).
 *
 * Environment: STUDIO_PIP_ARGS  extra pip arguments (e.g. "--extra-index-url https://download.pytorch.org/whl/cpu"
 *                                where the +cpu torch build comes from the PyTorch index);
 *              STUDIO_PYTHON    an interpreter that already has the packages: nothing is created, tests use it;
 *                               `off`: nothing is created and the Python tests skip.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const VENV = join(root, '.venv-py');
const REQUIREMENTS = join(root, 'python', 'requirements.txt');
const STAMP = join(VENV, 'studio-ready.json');
const PY = join(VENV, 'bin', 'python');
const CHECK = 'import json, torch, transformers, peft; print(json.dumps({"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__}))';
const PREFIX = 'python-env:';

/** Hash of the requirements file: the stamp is valid only for the file it was built from. */
function requirementsHash() {
  return createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex').slice(0, 16);
}

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
}

/** Last non-empty line of a failed command's output, for the one-line message. */
function lastLine(r) {
  if (r.error) return r.error.message;
  const lines = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('WARNING:'));
  return lines.at(-1) ?? `exit status ${r.status}`;
}

function skip(why) {
  console.log(`${PREFIX} Python parity tests will be skipped: ${why}`);
  process.exit(0);
}

/** Versions imported by `python`, or null (with the reason) when the packages do not import. */
function check(python) {
  const r = run(python, ['-c', CHECK]);
  if (r.status !== 0) return { versions: null, why: lastLine(r) };
  return { versions: JSON.parse(r.stdout.trim().split('\n').at(-1)), why: '' };
}

function main() {
  if (process.env.STUDIO_PYTHON === 'off') skip('STUDIO_PYTHON=off');
  if (process.env.STUDIO_PYTHON) {
    const { versions, why } = check(process.env.STUDIO_PYTHON);
    if (!versions) {
      // Asked for explicitly, so the tests do not skip it: they fail naming it (src/testing/python.ts).
      console.log(`${PREFIX} STUDIO_PYTHON=${process.env.STUDIO_PYTHON} cannot import torch, transformers and peft (${why}); the Python tests will fail until it can (or set STUDIO_PYTHON=off)`);
      return;
    }
    console.log(`${PREFIX} using STUDIO_PYTHON=${process.env.STUDIO_PYTHON} (torch ${versions.torch}, transformers ${versions.transformers}, peft ${versions.peft})`);
    return;
  }
  if (!existsSync(REQUIREMENTS)) skip(`${REQUIREMENTS} is missing`);
  const hash = requirementsHash();
  if (existsSync(STAMP) && existsSync(PY)) {
    let stamp = null;
    try {
      stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
    } catch {
      // A damaged stamp: rebuild below.
    }
    if (stamp?.requirements === hash) {
      console.log(`${PREFIX} .venv-py ready (torch ${stamp.versions.torch}, transformers ${stamp.versions.transformers}, peft ${stamp.versions.peft})`);
      return;
    }
  }
  const t0 = Date.now();
  if (!existsSync(PY)) {
    const python3 = process.env.PYTHON3 ?? 'python3';
    const v = run(python3, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2]); assert sys.version_info >= (3, 10)']);
    if (v.status !== 0) skip(v.error ? `${python3} is not installed` : `${python3} is older than 3.10 (${v.stdout.trim() || lastLine(v)})`);
    const mk = run(python3, ['-m', 'venv', VENV]);
    if (mk.status !== 0) skip(`python3 -m venv failed (${lastLine(mk)}); install python3-venv`);
  }
  // --retries 0: a machine whose pip is pointed at a local mirror but cannot reach pypi.org would otherwise spend
  // minutes backing off on every package name (measured: 6 min instead of 1 min).
  const extra = (process.env.STUDIO_PIP_ARGS ?? '').split(/\s+/).filter(Boolean);
  console.log(`${PREFIX} installing python/requirements.txt into .venv-py (about a minute from a local wheel store) …`);
  const pip = run(PY, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--retries', '0', '--timeout', '20', '-r', REQUIREMENTS, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (pip.status !== 0) skip(`pip install -r python/requirements.txt failed (${lastLine(pip)}); without a local wheel store, try STUDIO_PIP_ARGS="--extra-index-url https://download.pytorch.org/whl/cpu"`);
  const { versions, why } = check(PY);
  if (!versions) skip(`the installed packages do not import (${why})`);
  const tmp = `${STAMP}.partial`;
  writeFileSync(tmp, JSON.stringify({ requirements: hash, versions, python: PY }, null, 2) + '\n');
  renameSync(tmp, STAMP);
  console.log(`${PREFIX} .venv-py ready in ${((Date.now() - t0) / 1000).toFixed(0)} s (torch ${versions.torch}, transformers ${versions.transformers}, peft ${versions.peft})`);
}

try {
  main();
} catch (e) {
  skip(e instanceof Error ? e.message : String(e));
}
