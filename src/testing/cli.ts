/**
 * Runs the real CLI (`node --import tsx src/cli/main.ts …`, or `npm run -s cli -- …`) as a subprocess for tests, and
 * reads safetensors files back.
 * Node only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseSafetensorsHeader, readHeaderLength } from '../engine/io/safetensors';
import { convertBytes } from '../engine/io/convert';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Called with each stdout chunk (e.g. to send SIGINT once some output appeared). */
  onStdout?(chunk: string, child: ChildProcess, all: string): void;
  /** Called with each stderr chunk. */
  onStderr?(chunk: string, child: ChildProcess, all: string): void;
  /** Launch as a user does, `npm run -s cli -- …`, in a process group of its own (see signalGroup). */
  npm?: boolean;
  /** The environment (default: this process's, with NO_COLOR=1). */
  env?: NodeJS.ProcessEnv;
}

/** What a terminal's Ctrl+C does: `signal` to every process of the child's group (npm, sh and node alike). */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  process.kill(-child.pid!, signal);
}

/** npm's config warnings are noise on this machine; drop them so messages can be matched exactly. */
const clean = (s: string) => s.replace(/^npm warn.*\n/gm, '');

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    // No npx wrapper: signals must reach the CLI process itself. With `npm`, the whole group gets them.
    const [cmd, argv] = opts.npm ? ['npm', ['run', '-s', 'cli', '--', ...args]] : [process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args]];
    const child = spawn(cmd, argv, {
      cwd: ROOT, env: opts.env ?? { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.npm === true,
    });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      opts.onStdout?.(c, child, stdout);
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      opts.onStderr?.(c, child, stderr);
    });
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout: clean(stdout), stderr: clean(stderr) }));
  });
}

/** Every tensor of a safetensors file as f32, with its shape. */
export function readSafetensors(path: string): Map<string, { shape: number[]; data: Float32Array }> {
  const bytes = new Uint8Array(readFileSync(path));
  const ctx = { fileName: path, fileSize: bytes.byteLength };
  const header = parseSafetensorsHeader(bytes.subarray(0, 8 + readHeaderLength(bytes.subarray(0, 8), ctx)), ctx);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const t of header.tensors) {
    if (t.dtype !== 'F32') throw new Error(`${path}: ${t.name} is ${t.dtype}, expected F32`);
    out.set(t.name, { shape: t.shape, data: convertBytes(bytes.slice(header.dataOffset + t.begin, header.dataOffset + t.end), 'F32', 'f32') });
  }
  return out;
}

/** max |a − e| / max |e| (relative to the tensor's largest reference magnitude). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let maxRef = 0, maxDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
    const d = Math.abs(actual[i] - expected[i]);
    maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
  }
  return maxDiff / Math.max(maxRef, 1e-12);
}
