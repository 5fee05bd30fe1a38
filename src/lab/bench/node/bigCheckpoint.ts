/**
 * A ≥ 250 MB checkpoint for the loading benchmark and the heap e2e test: every tensor of a SmolLM2-135M-shaped
 * model (shapes.ts) in BF16 with random values, written once into a hub-layout root ({root}/{owner}/{name}/…) and
 * reused while its stamp matches. Values are finite BF16 numbers of magnitude 2⁻⁹…2⁻² with random sign and mantissa,
 * from a xorshift stream per tensor (fast: ~0.5 s for 135M values). Node only.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseModelConfig } from '../../../engine/model/config';
import { expectedTensors } from '../../../engine/model/tensors';
import { SMOLLM2_135M } from '../shapes';

export const BIG_REPO = 'studio-bench/smollm2-135m-shaped-bf16';
const VERSION = 1;

export interface BigTensor {
  name: string;
  shape: number[];
  /** Absolute byte offset of the tensor's data in the file. */
  start: number;
  byteLength: number;
}

export interface BigCheckpoint {
  /** Hub root to serve (startHubServer({ root })). */
  root: string;
  repo: string;
  /** Absolute path of model.safetensors. */
  file: string;
  bytes: number;
  tensors: BigTensor[];
}

/** Header of the checkpoint: tensors in expectedTensors order, BF16, contiguous. */
function layout(): { header: Uint8Array; tensors: BigTensor[]; bytes: number } {
  const cfg = parseModelConfig(SMOLLM2_135M);
  const specs = expectedTensors(cfg);
  const entries: string[] = ['"__metadata__":{"format":"pt"}'];
  let offset = 0;
  const rel: { name: string; shape: number[]; begin: number; end: number }[] = [];
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    rel.push({ name: s.name, shape: s.shape, begin: offset, end: offset + 2 * n });
    entries.push(`${JSON.stringify(s.name)}:${JSON.stringify({ dtype: 'BF16', shape: s.shape, data_offsets: [offset, offset + 2 * n] })}`);
    offset += 2 * n;
  }
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const header = new Uint8Array(8 + padded).fill(0x20, 8);
  new DataView(header.buffer).setUint32(0, padded, true);
  header.set(json, 8);
  const tensors = rel.map((t) => ({ name: t.name, shape: t.shape, start: header.byteLength + t.begin, byteLength: t.end - t.begin }));
  return { header, tensors, bytes: header.byteLength + offset };
}

/** Fills `out` with BF16 bit patterns (two per xorshift draw); returns the stream state. */
function fillBf16(out: Uint16Array, state: number): number {
  let s = state >>> 0 || 1;
  for (let i = 0; i < out.length; i += 2) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    for (let k = 0; k < 2 && i + k < out.length; k++) {
      const x = k === 0 ? s & 0xffff : s >>> 16;
      // sign bit and 7 mantissa bits from x; exponent 0x76…0x7d (2⁻⁹ … 2⁻²) from 3 more bits of it.
      out[i + k] = (x & 0x807f) | ((0x76 + ((x >>> 7) & 7)) << 7);
    }
  }
  return s;
}

/** The checkpoint under `cacheDir` (generated on first use, ~270 MB). */
export function ensureBigCheckpoint(cacheDir: string, log: (m: string) => void = () => {}): BigCheckpoint {
  const { header, tensors, bytes } = layout();
  const dir = join(cacheDir, BIG_REPO);
  const file = join(dir, 'model.safetensors');
  const stampFile = join(dir, 'stamp.json');
  const stamp = JSON.stringify({ version: VERSION, bytes });
  const result = { root: cacheDir, repo: BIG_REPO, file, bytes, tensors };
  if (existsSync(file) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && statSync(file).size === bytes) return result;

  mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, header);
    const chunk = new Uint16Array(1 << 21); // 4 MiB
    tensors.forEach((t, index) => {
      let state = (index + 1) * 0x9e3779b1;
      for (let done = 0; done < t.byteLength; ) {
        const n = Math.min(chunk.length, (t.byteLength - done) / 2);
        state = fillBf16(chunk.subarray(0, n), state);
        writeSync(fd, new Uint8Array(chunk.buffer, 0, 2 * n));
        done += 2 * n;
      }
    });
  } finally {
    closeSync(fd);
  }
  if (statSync(tmp).size !== bytes) {
    rmSync(tmp, { force: true });
    throw new Error(`writing ${file} produced the wrong size`);
  }
  renameSync(tmp, file); // atomic: a concurrent reader sees the old file or the whole new one
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(SMOLLM2_135M, null, 2)}\n`);
  writeFileSync(stampFile, stamp);
  log(`generated ${(bytes / 1e6).toFixed(0)} MB BF16 checkpoint ${file} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return result;
}

/** `count` BF16 values of a tensor starting at element `at`, as the f32 bit patterns the GPU should hold (bits << 16). */
export function expectedF32Bits(ck: BigCheckpoint, t: BigTensor, at: number, count: number): number[] {
  const buf = Buffer.alloc(2 * count);
  const fd = openSync(ck.file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, t.start + 2 * at);
  } finally {
    closeSync(fd);
  }
  return Array.from({ length: count }, (_, i) => (buf.readUInt16LE(2 * i) << 16) >>> 0);
}
