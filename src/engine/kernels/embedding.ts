import { cdiv, type Recorder } from '../gpu/recorder';
import { grid1d } from './grid';

const WG = 256; // forward, one thread per output element
const BWG = 64; // backward, columns per workgroup
const K = 16; // backward: row classes (id mod K) per column, for parallelism beyond C threads

function checker(name: string) {
  const fail = (msg: string): never => {
    throw new RangeError(`${name}: ${msg}`);
  };
  return {
    positive(sizes: Record<string, number>) {
      for (const [k, v] of Object.entries(sizes)) if (!Number.isInteger(v) || v <= 0) fail(`${k} must be a positive integer, got ${v}`);
    },
    fits(buf: GPUBuffer, words: number, what: string) {
      if (buf.size < words * 4) fail(`${what} holds ${Math.floor(buf.size / 4)} elements but needs ${words}`);
    },
  };
}

/**
 * out (N, C) = wte[tokens[n]] (+ wpe[positions[n]] when wpe is given, GPT-2). tokens, positions (N) u32 on the GPU.
 * The host cannot see the ids, so nothing is validated there: a token id ≥ V yields a zero token row and a
 * position ≥ P (rows of wpe) adds nothing. V defaults to the rows wte holds; positions is unused without wpe.
 */
export function embeddingForward(
  rec: Recorder, out: GPUBuffer, tokens: GPUBuffer, wte: GPUBuffer, wpe: GPUBuffer | null, positions: GPUBuffer,
  N: number, C: number, V = Math.floor(wte.size / 4 / C),
): void {
  const chk = checker('embeddingForward');
  chk.positive({ N, C, V });
  chk.fits(out, N * C, 'out');
  chk.fits(tokens, N, 'tokens');
  chk.fits(wte, V * C, 'wte');
  const P = wpe ? Math.floor(wpe.size / 4 / C) : 0;
  if (wpe) {
    chk.positive({ 'wpe rows': P });
    chk.fits(positions, N, 'positions');
  }
  rec.dispatch({
    shader: 'embedding_forward',
    entryPoint: wpe ? 'tok_pos' : 'tok',
    constants: { WG },
    params: [N, C, V, P],
    bindings: wpe ? [out, tokens, wte, wpe, positions] : [out, tokens, wte],
    workgroups: grid1d(N * C, WG),
    label: 'embedding_forward',
  });
}

/**
 * dwte (V, C) += scatter of dout (N, C) by tokens; dwpe (P, C) += scatter by positions (P = rows dwpe holds).
 * Deterministic, no float atomics. Null tables are skipped (frozen); ids out of range are ignored.
 */
export function embeddingBackward(
  rec: Recorder, dwte: GPUBuffer | null, dwpe: GPUBuffer | null, dout: GPUBuffer, tokens: GPUBuffer, positions: GPUBuffer,
  N: number, C: number, V: number,
): void {
  const chk = checker('embeddingBackward');
  chk.positive({ N, C, V });
  chk.fits(dout, N * C, 'dout');
  const P = dwpe ? Math.floor(dwpe.size / 4 / C) : 0;
  if (dwte) {
    chk.fits(dwte, V * C, 'dwte');
    chk.fits(tokens, N, 'tokens');
  }
  if (dwpe) {
    chk.positive({ 'dwpe rows': P });
    chk.fits(positions, N, 'positions');
  }
  const scatter = (table: GPUBuffer, ids: GPUBuffer, rows: number, label: string) =>
    rec.dispatch({
      shader: 'embedding_backward',
      constants: { WG: BWG },
      params: [N, C, rows, K],
      bindings: [table, dout, ids],
      workgroups: [cdiv(C, BWG), K],
      label,
    });
  if (dwte) scatter(dwte, tokens, V, 'embedding_backward_wte');
  if (dwpe) scatter(dwpe, positions, P, 'embedding_backward_wpe');
}
