// out (M, N) = alpha * op(a) @ op(b)  [+ bias broadcast over rows]  [+ out when accumulating]
//
// Layouts (all row-major; a, bias and out are f32, b is f32 or f16):
//   a is (M, K), or stored (K, M) when TRANS_A      -> element (m, k) at a[m * sam + k * sak]
//   b is (K, N), or stored (N, K) when TRANS_B      -> element (k, n) at b[k * sbk + n * sbn]
//   bias (N), read only when params.flags has HAS_BIAS; out (M, N).
// aOff / bOff / outOff (elements) place each matrix inside a larger buffer: op(a)'s (m, k) is a[aOff + ...], out's
// (m, n) is out[outOff + m * N + n] — e.g. a row block of activations, as the chunked LM head uses. With an f16 b,
// bOff is even (whole words; the host checks).
// TRANS_A / TRANS_B / B_F16 are pipeline overrides (fixed per call site, folded by the compiler); shapes are params,
// so one pipeline per layout and b format serves every shape.
//
// b's storage format (why b only: it is the frozen base weight of every linear and of the LM head, the one operand
// worth halving). b is declared array<u32> for both formats so one shader serves both:
//   B_F16 = false: each word is an f32 (bitcast, free);
//   B_F16 = true:  the f16 values are packed two per word, element i in word i / 2, low half first (the
//                  little-endian byte order of a plain f16 array, as the loader writes it). They are unpacked with
//                  the core builtin unpack2x16float, so no `enable f16` and no shader-f16 feature is needed, and
//                  all arithmetic stays f32.
// Entry points: `main` reads b element by element (any layout, either format). When the layout puts an invocation's
// b values in whole words, the host picks `main_f16_k` (TRANS_B, even K: 4 consecutive k of a column = 2 words) or
// `main_f16_n` (plain, even N: 8 consecutive columns of a row = 4 words), which load a word per 2 values instead of
// per value; on SwiftShader that makes an f16 b faster than an f32 one (fewer gathers).
//
// Organisation (why): each invocation computes an 8 x 8 block of out held in four mat4x4 register accumulators
// (a column of the matrix = one output row of 4 columns), reading 8 values of op(a) and 8 of op(b) per k and doing
// 64 fused multiply-adds with them. On SwiftShader (our CI adapter) every storage load is a per-lane gather, so the
// win comes from reuse in registers more than from vec4 loads (though main_k4's vec4s along k measured 5-20% faster for x·Wᵀ)
// or workgroup-shared tiles (barriers are expensive there and the tiled kernel was slower). Scalar loads also mean
// no alignment requirement: every shape takes this path. The k loop is unrolled by 4 through small functions that
// the compiler inlines; loops over arrays instead were ~5x slower on SwiftShader (arrays are spilled to memory).
// Rows/columns past the edge are clamped to the last valid one for loading (always in bounds, no branches in the
// hot loop) and skipped when storing. A K that is not a multiple of 4 finishes with a scalar tail loop.
//
// `main_k4` (host-picked: TRANS_B, not TRANS_A, f32 b, K, aOff and bOff multiples of 4) is the x·Wᵀ layout, where
// both operands run along k in memory: it reads op(a) and op(b) as vec4s along k (a, b re-declared as
// array<vec4<f32>> at the same bindings, used by that entry point only), 16 loads per 4-k round instead of 64, and
// transposes them in registers. On a GPU that is 4x fewer load instructions and 16-byte accesses per lane.
//
// Split-K (host-picked for products whose output is small next to K, e.g. the LoRA gradients dA (r, in) and
// dB (out, r), which reduce over all B·T tokens): params.kChunk > 0 makes workgroup z of the dispatch cover
// k in [z·kChunk, min(K, (z+1)·kChunk)) and write its partial product to out[outOff + z·M·N + ...] (the host passes
// alpha 1 and no flags); shaders/matmul_splitk_sum.wgsl then sums the partials in order. kChunk is a multiple of 4,
// so every chunk starts on a whole f16 word pair / vec4. kChunk = 0: one chunk, all of K (the usual case).
//
// Epilogue terms (params.flags; the base product of a linear layer, never split-K — the host checks), applied per
// output element in this order, which is the order the unfused calls (copy, accumulate, LoRA up-product) apply them:
//   v = alpha · acc;  v += bias[n] (HAS_BIAS);  v += out[i] (ACCUMULATE) or v += addend[i] (HAS_ADDEND);
//   v = lrAlpha · Σ_j lrU[m·lrR + j] · lrV[j·lrVj + n·lrVn] + v          (LOW_RANK)
// HAS_ADDEND is the residual connection (out = x + x·Wᵀ without first copying x into out); LOW_RANK is a LoRA path's
// rank-r update folded into the base product: forward y += s·u·Bᵀ (lrV = B (out, r): lrVj 1, lrVn r), backward
// dx += du·A (lrV = A (r, in): lrVj in, lrVn 1). The rank-r sum runs j = 0, 1, .. with fma from 0, as the unfused
// product's accumulators do, so the fused result is the unfused one (measured bit-identical on SwiftShader).
// LOW_RANK_DROPOUT (with LOW_RANK; LoRA dropout's backward, dx += dropout'(du·A)): the term becomes
//   select(0, lrAlpha·Σ · lrDropScale, keep(m·N + n))
// with keep() exactly shaders/dropout.wgsl's mask (same hash of (lrDropSeed, flat index), same threshold), so it
// equals writing du·A to scratch and running dropout_backward with accumulate over it (out starts at offset 0).
//
// WG_X x WG_Y (overrides) shape the workgroup: 8 x 8 for square-ish products; a skinny product (N or M of a LoRA
// rank) gets 1 x 64, 2 x 32, ... so no invocation of the workgroup sits idle past the edge.

struct Params {
  M : u32,
  K : u32,
  N : u32,
  alpha : f32,
  flags : u32, // bit 0: accumulate into out, bit 1: add bias
  aOff : u32,
  bOff : u32,
  outOff : u32,
  kChunk : u32, // 0: no split; else the k range of workgroup z (split-K partials)
  lrR : u32, // LOW_RANK: the rank r, lrU (M, r), lrV element (j, n) at j·lrVj + n·lrVn, scaled by lrAlpha
  lrAlpha : f32,
  lrVj : u32,
  lrVn : u32,
  lrDropThreshold : u32, // LOW_RANK_DROPOUT: round(p·2^32), seed and 1 / (1 − p), as shaders/dropout.wgsl
  lrDropSeed : u32,
  lrDropScale : f32,
}
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> out : array<f32>;
@group(0) @binding(2) var<storage, read> a : array<f32>;
@group(0) @binding(3) var<storage, read> b : array<u32>; // f32 bits, or two f16 per word (B_F16)
@group(0) @binding(4) var<storage, read> bias : array<f32>;
@group(0) @binding(5) var<storage, read> addend : array<f32>; // HAS_ADDEND: (M, N) at out's offsets
@group(0) @binding(6) var<storage, read> lrU : array<f32>;    // LOW_RANK: (M, lrR)
@group(0) @binding(7) var<storage, read> lrV : array<f32>;    // LOW_RANK: see lrVj / lrVn
// The same a and b bindings seen as vec4s (main_k4 only; the host checks alignment).
@group(0) @binding(2) var<storage, read> a4 : array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> b4 : array<vec4<f32>>;

override TRANS_A : bool = false;
override TRANS_B : bool = false;
override B_F16 : bool = false;
override WG_X : u32 = 8; // workgroup columns; each invocation covers 8 output columns
override WG_Y : u32 = 8; // workgroup rows; each invocation covers 8 output rows

const ACCUMULATE = 1u;
const HAS_BIAS = 2u;
const HAS_ADDEND = 4u;
const LOW_RANK = 8u;
const LOW_RANK_DROPOUT = 16u;

// shaders/dropout.wgsl's hash and mask, verbatim.
fn pcg(v : u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn dropKeep(i : u32) -> bool {
  return pcg(pcg(i) ^ pcg(params.lrDropSeed ^ 0x9E3779B9u)) >= params.lrDropThreshold;
}

// Σ_j lrU[m, j] · lrV(j, n), fma from 0 in j order (the order the matmul accumulators use).
fn lowRank(m : u32, n : u32) -> f32 {
  let r = params.lrR;
  var d = 0.0;
  for (var j = 0u; j < r; j++) {
    d = fma(lrU[m * r + j], lrV[j * params.lrVj + n * params.lrVn], d);
  }
  return d;
}

// The 8 x 8 block: c[r][c] covers rows 4r..4r+3 and columns 4c..4c+3; matrix column i = row i of that quadrant.
struct Acc {
  c00 : mat4x4<f32>,
  c01 : mat4x4<f32>,
  c10 : mat4x4<f32>,
  c11 : mat4x4<f32>,
}

fn loadA(rows : vec4<u32>, ka : u32) -> vec4<f32> {
  return vec4<f32>(a[rows.x + ka], a[rows.y + ka], a[rows.z + ka], a[rows.w + ka]);
}

// Element i of b as f32.
fn bAt(i : u32) -> f32 {
  if (B_F16) {
    let pair = unpack2x16float(b[i >> 1u]);
    return select(pair.x, pair.y, (i & 1u) != 0u);
  }
  return bitcast<f32>(b[i]);
}

fn loadB(cols : vec4<u32>, kb : u32) -> vec4<f32> {
  return vec4<f32>(bAt(cols.x + kb), bAt(cols.y + kb), bAt(cols.z + kb), bAt(cols.w + kb));
}

// c[i] += x[i] * w : a rank-1 update of one 4 x 4 quadrant.
fn outer(c : mat4x4<f32>, x : vec4<f32>, w : vec4<f32>) -> mat4x4<f32> {
  return mat4x4<f32>(fma(vec4<f32>(x.x), w, c[0]), fma(vec4<f32>(x.y), w, c[1]),
                     fma(vec4<f32>(x.z), w, c[2]), fma(vec4<f32>(x.w), w, c[3]));
}

// c += x ⊗ w for the 8 x 8 block: x0/x1 are op(a) at one k for rows 0-3 / 4-7, w0/w1 op(b) for columns 0-3 / 4-7.
fn update(s : Acc, x0 : vec4<f32>, x1 : vec4<f32>, w0 : vec4<f32>, w1 : vec4<f32>) -> Acc {
  return Acc(outer(s.c00, x0, w0), outer(s.c01, x0, w1), outer(s.c10, x1, w0), outer(s.c11, x1, w1));
}

// One k: rows0/rows1 are the a offsets of rows 0-3 / 4-7, cols0/cols1 the b offsets of columns 0-3 / 4-7.
fn step(s : Acc, rows0 : vec4<u32>, rows1 : vec4<u32>, cols0 : vec4<u32>, cols1 : vec4<u32>, ka : u32, kb : u32) -> Acc {
  return update(s, loadA(rows0, ka), loadA(rows1, ka), loadB(cols0, kb), loadB(cols1, kb));
}

// f16 b, whole words: elements i .. i+3 for an even i (two words, two unpacks).
fn words2(i : u32) -> vec4<f32> {
  let w = i >> 1u;
  return vec4<f32>(unpack2x16float(b[w]), unpack2x16float(b[w + 1u]));
}

// f16 b, plain layout, even N: columns p.x, p.x+1, p.y, p.y+1 of the row starting at kb (p even: whole words).
fn loadPairs(p : vec2<u32>, kb : u32) -> vec4<f32> {
  return vec4<f32>(unpack2x16float(b[(kb + p.x) >> 1u]), unpack2x16float(b[(kb + p.y) >> 1u]));
}

// f16 b with TRANS_B and an even K: column n's values at k .. k+3 (k a multiple of 4) are two whole words, so one
// 4-k round loads 2 words per column instead of 4 elements. Returns [j] = the 4 columns `cols` at k + j.
fn loadB4(cols : vec4<u32>, kb : u32) -> mat4x4<f32> {
  return transpose(mat4x4<f32>(words2(cols.x + kb), words2(cols.y + kb), words2(cols.z + kb), words2(cols.w + kb)));
}

// Writes columns n0..n0+7 of row m (skipping those past the edge): lo holds columns 0-3, hi columns 4-7. outOff
// is params.outOff plus, for a split-K partial, z·M·N.
fn storeRow(outOff : u32, m : u32, n0 : u32, lo : vec4<f32>, hi : vec4<f32>) {
  if (m >= params.M) { return; }
  let N = params.N;
  for (var j = 0u; j < 8u; j++) {
    let n = n0 + j;
    if (n >= N) { return; }
    let i = outOff + m * N + n;
    var v = params.alpha * select(hi[j & 3u], lo[j & 3u], j < 4u);
    if ((params.flags & HAS_BIAS) != 0u) { v += bias[n]; }
    if ((params.flags & ACCUMULATE) != 0u) { v += out[i]; }
    if ((params.flags & HAS_ADDEND) != 0u) { v += addend[i]; }
    if ((params.flags & LOW_RANK) != 0u) {
      var w = params.lrAlpha * lowRank(m, n);
      if ((params.flags & LOW_RANK_DROPOUT) != 0u) { w = select(0.0, w * params.lrDropScale, dropKeep(m * N + n)); }
      v = w + v;
    }
    out[i] = v;
  }
}

// Where one invocation's 8 x 8 block reads: a offsets of rows 0-3 / 4-7, b offsets of columns 0-3 / 4-7 (clamped
// into the matrix; their results are never stored; aOff / bOff included), the k strides of op(a) and op(b), the
// k range [k0, kEnd) of this workgroup's chunk and where its output starts.
struct Block {
  m0 : u32,
  n0 : u32,
  k0 : u32,
  kEnd : u32,
  outOff : u32,
  rows0 : vec4<u32>,
  rows1 : vec4<u32>,
  cols0 : vec4<u32>,
  cols1 : vec4<u32>,
  sak : u32,
  sbk : u32,
}

fn block(gid : vec3<u32>) -> Block {
  let M = params.M;
  let K = params.K;
  let N = params.N;
  let m0 = gid.y * 8u;
  let n0 = gid.x * 8u;
  // Strides of op(a) (m, k) and op(b) (k, n).
  let sam = select(K, 1u, TRANS_A);
  let sak = select(1u, M, TRANS_A);
  let sbn = select(1u, K, TRANS_B);
  let sbk = select(N, 1u, TRANS_B);
  let mLast = vec4<u32>(M - 1u);
  let nLast = vec4<u32>(N - 1u);
  let aOff = vec4<u32>(params.aOff);
  let bOff = vec4<u32>(params.bOff);
  let kc = select(K, params.kChunk, params.kChunk != 0u);
  let k0 = gid.z * kc;
  return Block(m0, n0, k0, min(K, k0 + kc), params.outOff + gid.z * M * N,
    min(vec4<u32>(m0) + vec4<u32>(0u, 1u, 2u, 3u), mLast) * sam + aOff,
    min(vec4<u32>(m0) + vec4<u32>(4u, 5u, 6u, 7u), mLast) * sam + aOff,
    min(vec4<u32>(n0) + vec4<u32>(0u, 1u, 2u, 3u), nLast) * sbn + bOff,
    min(vec4<u32>(n0) + vec4<u32>(4u, 5u, 6u, 7u), nLast) * sbn + bOff,
    sak, sbk);
}

// Multiple-of-4 part of the chunk's k range (the hot loops run over it 4 k at a time).
fn len4(bl : Block) -> u32 {
  return (bl.kEnd - bl.k0) & ~3u;
}

// The tail of the chunk's k range past its multiple of 4, element by element (ka0 / kb0 point at its first k),
// then the stores.
fn finish(s0 : Acc, bl : Block, ka0 : u32, kb0 : u32) {
  var s = s0;
  var ka = ka0;
  var kb = kb0;
  for (var k = bl.k0 + len4(bl); k < bl.kEnd; k++) {
    s = step(s, bl.rows0, bl.rows1, bl.cols0, bl.cols1, ka, kb);
    ka += bl.sak;
    kb += bl.sbk;
  }
  store(s, bl);
}

// Stores the 8 x 8 block.
fn store(s : Acc, bl : Block) {
  for (var i = 0u; i < 4u; i++) {
    storeRow(bl.outOff, bl.m0 + i, bl.n0, s.c00[i], s.c01[i]);
    storeRow(bl.outOff, bl.m0 + 4u + i, bl.n0, s.c10[i], s.c11[i]);
  }
}

// Every layout and format, one element of b at a time. (The f16 variants below are separate entry points, chosen
// by the host, rather than branches here: measured on SwiftShader, merely having them as branches of this entry
// point made the f32 pipeline ~40% slower even with B_F16 = false.)
@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid : vec3<u32>) {
  if (gid.y * 8u >= params.M || gid.x * 8u >= params.N) { return; }
  let bl = block(gid);
  let rows0 = bl.rows0;
  let rows1 = bl.rows1;
  let cols0 = bl.cols0;
  let cols1 = bl.cols1;
  let sak = bl.sak;
  let sbk = bl.sbk;
  var s = Acc(mat4x4<f32>(), mat4x4<f32>(), mat4x4<f32>(), mat4x4<f32>());
  var ka = bl.k0 * sak;
  var kb = bl.k0 * sbk;
  let K4 = len4(bl);
  for (var k = 0u; k < K4; k += 4u) {
    s = step(s, rows0, rows1, cols0, cols1, ka, kb);
    s = step(s, rows0, rows1, cols0, cols1, ka + sak, kb + sbk);
    s = step(s, rows0, rows1, cols0, cols1, ka + 2u * sak, kb + 2u * sbk);
    s = step(s, rows0, rows1, cols0, cols1, ka + 3u * sak, kb + 3u * sbk);
    ka += 4u * sak;
    kb += 4u * sbk;
  }
  finish(s, bl, ka, kb);
}

// B_F16, TRANS_B, even K (host-checked): words along k (see loadB4). kb = k (sbk = 1), a multiple of 4, and the
// column offsets n·K are even, so each column's 4 values of a round are two whole words.
@compute @workgroup_size(WG_X, WG_Y)
fn main_f16_k(@builtin(global_invocation_id) gid : vec3<u32>) {
  if (gid.y * 8u >= params.M || gid.x * 8u >= params.N) { return; }
  let bl = block(gid);
  let rows0 = bl.rows0;
  let rows1 = bl.rows1;
  let sak = bl.sak;
  var s = Acc(mat4x4<f32>(), mat4x4<f32>(), mat4x4<f32>(), mat4x4<f32>());
  var ka = bl.k0 * sak;
  var kb = bl.k0;
  let K4 = len4(bl);
  for (var k = 0u; k < K4; k += 4u) {
    let w0 = loadB4(bl.cols0, kb);
    let w1 = loadB4(bl.cols1, kb);
    s = update(s, loadA(rows0, ka), loadA(rows1, ka), w0[0], w1[0]);
    s = update(s, loadA(rows0, ka + sak), loadA(rows1, ka + sak), w0[1], w1[1]);
    s = update(s, loadA(rows0, ka + 2u * sak), loadA(rows1, ka + 2u * sak), w0[2], w1[2]);
    s = update(s, loadA(rows0, ka + 3u * sak), loadA(rows1, ka + 3u * sak), w0[3], w1[3]);
    ka += 4u * sak;
    kb += 4u;
  }
  finish(s, bl, ka, kb);
}

// B_F16, plain b, even N (host-checked): words along n. Every row k·N starts on a word, so the 8 columns are 4
// whole words; edge blocks clamp each pair to the last one (N-2, N-1) instead of each column (never stored). bOff is
// even, so the pairs stay whole words.
@compute @workgroup_size(WG_X, WG_Y)
fn main_f16_n(@builtin(global_invocation_id) gid : vec3<u32>) {
  if (gid.y * 8u >= params.M || gid.x * 8u >= params.N) { return; }
  let bl = block(gid);
  let N = params.N;
  let rows0 = bl.rows0;
  let rows1 = bl.rows1;
  let sak = bl.sak;
  let pairs = min(vec4<u32>(bl.n0) + vec4<u32>(0u, 2u, 4u, 6u), vec4<u32>(N - 2u)) + vec4<u32>(params.bOff);
  var s = Acc(mat4x4<f32>(), mat4x4<f32>(), mat4x4<f32>(), mat4x4<f32>());
  var ka = bl.k0 * sak;
  var kb = bl.k0 * N;
  let K4 = len4(bl);
  for (var k = 0u; k < K4; k += 4u) {
    s = update(s, loadA(rows0, ka), loadA(rows1, ka), loadPairs(pairs.xy, kb), loadPairs(pairs.zw, kb));
    s = update(s, loadA(rows0, ka + sak), loadA(rows1, ka + sak), loadPairs(pairs.xy, kb + N), loadPairs(pairs.zw, kb + N));
    s = update(s, loadA(rows0, ka + 2u * sak), loadA(rows1, ka + 2u * sak), loadPairs(pairs.xy, kb + 2u * N), loadPairs(pairs.zw, kb + 2u * N));
    s = update(s, loadA(rows0, ka + 3u * sak), loadA(rows1, ka + 3u * sak), loadPairs(pairs.xy, kb + 3u * N), loadPairs(pairs.zw, kb + 3u * N));
    ka += 4u * sak;
    kb += 4u * N;
  }
  finish(s, bl, ka, kb);
}

// op(a) rows at k .. k+3 from vec4s: `rows` are the rows' a offsets / 4, k4 = k / 4. Returns [j] = the 4 rows at k + j.
fn loadA4(rows : vec4<u32>, k4 : u32) -> mat4x4<f32> {
  return transpose(mat4x4<f32>(a4[rows.x + k4], a4[rows.y + k4], a4[rows.z + k4], a4[rows.w + k4]));
}

// op(b) columns at k .. k+3 from vec4s (TRANS_B: a column is a row of b, contiguous along k). [j] = columns at k + j.
fn loadB4f(cols : vec4<u32>, k4 : u32) -> mat4x4<f32> {
  return transpose(mat4x4<f32>(b4[cols.x + k4], b4[cols.y + k4], b4[cols.z + k4], b4[cols.w + k4]));
}

// TRANS_B, not TRANS_A, f32 b; K, aOff, bOff (and kChunk) multiples of 4 (host-checked): both operands as vec4s
// along k. The chunk's range is then a whole number of vec4s, so there is no tail.
@compute @workgroup_size(WG_X, WG_Y)
fn main_k4(@builtin(global_invocation_id) gid : vec3<u32>) {
  if (gid.y * 8u >= params.M || gid.x * 8u >= params.N) { return; }
  let bl = block(gid);
  let rows0 = bl.rows0 / 4u;
  let rows1 = bl.rows1 / 4u;
  let cols0 = bl.cols0 / 4u;
  let cols1 = bl.cols1 / 4u;
  var s = Acc(mat4x4<f32>(), mat4x4<f32>(), mat4x4<f32>(), mat4x4<f32>());
  let kq0 = bl.k0 / 4u;
  let kq1 = bl.kEnd / 4u;
  for (var kq = kq0; kq < kq1; kq++) {
    let x0 = loadA4(rows0, kq);
    let x1 = loadA4(rows1, kq);
    let w0 = loadB4f(cols0, kq);
    let w1 = loadB4f(cols1, kq);
    s = update(s, x0[0], x1[0], w0[0], w1[0]);
    s = update(s, x0[1], x1[1], w0[1], w1[1]);
    s = update(s, x0[2], x1[2], w0[2], w1[2]);
    s = update(s, x0[3], x1[3], w0[3], w1[3]);
  }
  store(s, bl); // (not finish: its tail loop would reference the scalar a and b, which share these bindings)
}
