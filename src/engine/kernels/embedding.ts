import { cdiv, f32, type Recorder } from '../gpu/recorder';
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
    scale(scale: number) {
      if (!Number.isFinite(scale)) fail(`scale must be a finite number, got ${scale}`);
    },
    /** A table of `elements` values in `format` (f16: two per 4-byte word, rounded up). */
    table(buf: GPUBuffer, elements: number, format: TableFormat, what: string) {
      const bytes = format === 'f16' ? Math.ceil(elements / 2) * 4 : elements * 4;
      if (buf.size < bytes) fail(`${what} (${format}) needs ${bytes} bytes for ${elements} elements but its buffer has ${buf.size}`);
    },
  };
}

/** Storage of a frozen table: f32, or f16 packed two per u32 (low half first). */
export type TableFormat = 'f32' | 'f16';

export interface EmbeddingTableFormats {
  wteFormat?: TableFormat;
  wpeFormat?: TableFormat;
}

export interface EmbeddingScale {
  /**
   * Multiplies the token embedding row (not the position embedding), in f32 after the lookup: Gemma's
   * f32(√hidden). Default 1. The backward must be given the same scale (dwte += scale · dout).
   */
  scale?: number;
}

/** Rows a table buffer holds (an f16 table's zero padding half may count as one more row when C = 1: it reads 0). */
const rowsOf = (buf: GPUBuffer, C: number, format: TableFormat) => Math.floor(buf.size / (format === 'f16' ? 2 : 4) / C);

/**
 * out (N, C) = scale · wte[tokens[n]] (+ wpe[positions[n]] when wpe is given, GPT-2). tokens, positions (N) u32 on
 * the GPU. The host cannot see the ids, so nothing is validated there: a token id ≥ V yields a zero token row and a
 * position ≥ P (rows of wpe) adds nothing. V defaults to the rows wte holds; positions is unused without wpe.
 * wte / wpe may each be f32 (default) or f16-packed (`opts.wteFormat`, `opts.wpeFormat`); out is f32. `opts.scale`
 * (default 1, Gemma f32(√hidden)) scales the token row only, in every table format.
 */
export function embeddingForward(
  rec: Recorder, out: GPUBuffer, tokens: GPUBuffer, wte: GPUBuffer, wpe: GPUBuffer | null, positions: GPUBuffer,
  N: number, C: number, V?: number, opts: EmbeddingTableFormats & EmbeddingScale = {},
): void {
  const { wteFormat = 'f32', wpeFormat = 'f32', scale = 1 } = opts;
  const chk = checker('embeddingForward');
  chk.scale(scale);
  for (const f of [wteFormat, wpeFormat]) if (f !== 'f32' && f !== 'f16') throw new RangeError(`embeddingForward: table format must be 'f32' or 'f16', got ${String(f)}`);
  const rows = V ?? rowsOf(wte, C, wteFormat);
  chk.positive({ N, C, V: rows });
  chk.fits(out, N * C, 'out');
  chk.fits(tokens, N, 'tokens');
  chk.table(wte, rows * C, wteFormat, 'wte');
  const P = wpe ? rowsOf(wpe, C, wpeFormat) : 0;
  if (wpe) {
    chk.positive({ 'wpe rows': P });
    chk.fits(positions, N, 'positions');
  }
  rec.dispatch({
    shader: 'embedding_forward',
    entryPoint: wpe ? 'tok_pos' : 'tok',
    constants: { WG, WTE_F16: wteFormat === 'f16' ? 1 : 0, WPE_F16: wpe && wpeFormat === 'f16' ? 1 : 0 },
    params: [N, C, rows, P, f32(scale)],
    bindings: wpe ? [out, tokens, wte, wpe, positions] : [out, tokens, wte],
    workgroups: grid1d(N * C, WG),
    label: 'embedding_forward',
  });
}

/**
 * dwte (V, C) += scale · scatter of dout (N, C) by tokens; dwpe (P, C) += scatter by positions (P = rows dwpe holds),
 * unscaled. `opts.scale` is the forward's (default 1). Deterministic, no float atomics. Null tables are skipped
 * (frozen); ids out of range are ignored.
 */
export function embeddingBackward(
  rec: Recorder, dwte: GPUBuffer | null, dwpe: GPUBuffer | null, dout: GPUBuffer, tokens: GPUBuffer, positions: GPUBuffer,
  N: number, C: number, V: number, opts: EmbeddingScale = {},
): void {
  const { scale = 1 } = opts;
  const chk = checker('embeddingBackward');
  chk.scale(scale);
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
  const scatter = (table: GPUBuffer, ids: GPUBuffer, rows: number, tableScale: number, label: string) =>
    rec.dispatch({
      shader: 'embedding_backward',
      constants: { WG: BWG },
      params: [N, C, rows, K, f32(tableScale)],
      bindings: [table, dout, ids],
      workgroups: [cdiv(C, BWG), K],
      label,
    });
  if (dwte) scatter(dwte, tokens, V, scale, 'embedding_backward_wte');
  if (dwpe) scatter(dwpe, positions, P, 1, 'embedding_backward_wpe');
}
