// out (M, N) = alpha * op(a) @ op(b)  [+ bias broadcast over rows]  [+ out when accumulating]
//
// Layouts (all row-major f32):
//   a is (M, K), or stored (K, M) when TRANS_A      -> element (m, k) at a[m * sam + k * sak]
//   b is (K, N), or stored (N, K) when TRANS_B      -> element (k, n) at b[k * sbk + n * sbn]
//   bias (N), read only when params.flags has HAS_BIAS; out (M, N).
// TRANS_A / TRANS_B are pipeline overrides (fixed per call site, folded by the compiler); shapes are params, so one
// pipeline per layout serves every shape.
//
// Organisation (why): each invocation computes an 8 x 8 block of out held in four mat4x4 register accumulators
// (a column of the matrix = one output row of 4 columns), reading 8 values of op(a) and 8 of op(b) per k and doing
// 64 fused multiply-adds with them. On SwiftShader (our CI adapter) every storage load is a per-lane gather, so the
// win comes from reuse in registers, not from vec4 loads (measured: scalar loads are as fast as vec4 loads there)
// or workgroup-shared tiles (barriers are expensive there and the tiled kernel was slower). Scalar loads also mean
// no alignment requirement: every shape takes this path. The k loop is unrolled by 4 through small functions that
// the compiler inlines; loops over arrays instead were ~5x slower on SwiftShader (arrays are spilled to memory).
// Rows/columns past the edge are clamped to the last valid one for loading (always in bounds, no branches in the
// hot loop) and skipped when storing. A K that is not a multiple of 4 finishes with a scalar tail loop.

struct Params {
  M : u32,
  K : u32,
  N : u32,
  alpha : f32,
  flags : u32, // bit 0: accumulate into out, bit 1: add bias
}
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> out : array<f32>;
@group(0) @binding(2) var<storage, read> a : array<f32>;
@group(0) @binding(3) var<storage, read> b : array<f32>;
@group(0) @binding(4) var<storage, read> bias : array<f32>;

override TRANS_A : bool = false;
override TRANS_B : bool = false;
override WG_X : u32 = 8; // workgroup columns; each invocation covers 8 output columns
override WG_Y : u32 = 8; // workgroup rows; each invocation covers 8 output rows

const ACCUMULATE = 1u;
const HAS_BIAS = 2u;

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

fn loadB(cols : vec4<u32>, kb : u32) -> vec4<f32> {
  return vec4<f32>(b[cols.x + kb], b[cols.y + kb], b[cols.z + kb], b[cols.w + kb]);
}

// c[i] += x[i] * w : a rank-1 update of one 4 x 4 quadrant.
fn outer(c : mat4x4<f32>, x : vec4<f32>, w : vec4<f32>) -> mat4x4<f32> {
  return mat4x4<f32>(fma(vec4<f32>(x.x), w, c[0]), fma(vec4<f32>(x.y), w, c[1]),
                     fma(vec4<f32>(x.z), w, c[2]), fma(vec4<f32>(x.w), w, c[3]));
}

// One k: rows0/rows1 are the a offsets of rows 0-3 / 4-7, cols0/cols1 the b offsets of columns 0-3 / 4-7.
fn step(s : Acc, rows0 : vec4<u32>, rows1 : vec4<u32>, cols0 : vec4<u32>, cols1 : vec4<u32>, ka : u32, kb : u32) -> Acc {
  let x0 = loadA(rows0, ka);
  let x1 = loadA(rows1, ka);
  let w0 = loadB(cols0, kb);
  let w1 = loadB(cols1, kb);
  return Acc(outer(s.c00, x0, w0), outer(s.c01, x0, w1), outer(s.c10, x1, w0), outer(s.c11, x1, w1));
}

// Writes columns n0..n0+7 of row m (skipping those past the edge): lo holds columns 0-3, hi columns 4-7.
fn storeRow(m : u32, n0 : u32, lo : vec4<f32>, hi : vec4<f32>) {
  if (m >= params.M) { return; }
  let N = params.N;
  for (var j = 0u; j < 8u; j++) {
    let n = n0 + j;
    if (n >= N) { return; }
    let i = m * N + n;
    var v = params.alpha * select(hi[j & 3u], lo[j & 3u], j < 4u);
    if ((params.flags & HAS_BIAS) != 0u) { v += bias[n]; }
    if ((params.flags & ACCUMULATE) != 0u) { v += out[i]; }
    out[i] = v;
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid : vec3<u32>) {
  let M = params.M;
  let K = params.K;
  let N = params.N;
  let m0 = gid.y * 8u;
  let n0 = gid.x * 8u;
  if (m0 >= M || n0 >= N) { return; }

  // Strides of op(a) (m, k) and op(b) (k, n).
  let sam = select(K, 1u, TRANS_A);
  let sak = select(1u, M, TRANS_A);
  let sbn = select(1u, K, TRANS_B);
  let sbk = select(N, 1u, TRANS_B);
  // Offsets of the 8 rows / 8 columns, clamped into the matrix (their results are never stored).
  let mLast = vec4<u32>(M - 1u);
  let nLast = vec4<u32>(N - 1u);
  let rows0 = min(vec4<u32>(m0) + vec4<u32>(0u, 1u, 2u, 3u), mLast) * sam;
  let rows1 = min(vec4<u32>(m0) + vec4<u32>(4u, 5u, 6u, 7u), mLast) * sam;
  let cols0 = min(vec4<u32>(n0) + vec4<u32>(0u, 1u, 2u, 3u), nLast) * sbn;
  let cols1 = min(vec4<u32>(n0) + vec4<u32>(4u, 5u, 6u, 7u), nLast) * sbn;

  var s = Acc(mat4x4<f32>(), mat4x4<f32>(), mat4x4<f32>(), mat4x4<f32>());
  var ka = 0u;
  var kb = 0u;
  let K4 = K & ~3u;
  for (var k = 0u; k < K4; k += 4u) {
    s = step(s, rows0, rows1, cols0, cols1, ka, kb);
    s = step(s, rows0, rows1, cols0, cols1, ka + sak, kb + sbk);
    s = step(s, rows0, rows1, cols0, cols1, ka + 2u * sak, kb + 2u * sbk);
    s = step(s, rows0, rows1, cols0, cols1, ka + 3u * sak, kb + 3u * sbk);
    ka += 4u * sak;
    kb += 4u * sbk;
  }
  for (var k = K4; k < K; k++) {
    s = step(s, rows0, rows1, cols0, cols1, ka, kb);
    ka += sak;
    kb += sbk;
  }

  for (var i = 0u; i < 4u; i++) {
    storeRow(m0 + i, n0, s.c00[i], s.c01[i]);
    storeRow(m0 + 4u + i, n0, s.c10[i], s.c11[i]);
  }
}
