// out (M, N) = alpha * a @ op(b)  [+ bias broadcast over rows]  [+ out when accumulating], for SMALL M (1..4):
// the decoding step's linears, LoRA products and LM head, where `matmul`'s 8 x 8 register blocks would waste 7 of
// every 8 rows and read b with a stride of 8 rows per invocation.
//
// Same contract as matmul.wgsl (params, bindings, f16 packing, offsets), without TRANS_A:
//   a (M, K) f32; b (K, N), or stored (N, K) when TRANS_B, f32 bits or two f16 per u32 word (B_F16, low half first);
//   bias (N) read when params.flags has HAS_BIAS; out (M, N). M <= 4: the M rows ride in one vec4 accumulator, so
//   every b value is read ONCE and used for all rows (rows >= M are clamped to row M - 1 and never stored).
//
// Two entry points, one per layout of b, each reading b with consecutive invocations on consecutive addresses:
//   main_t (TRANS_B, HF Linear [out, in] and the LM head): LANES invocations share one output column n; lane l
//          reads b[n, l], b[n, l + LANES], ... (a coalesced run of LANES words per step), then the LANES partial
//          sums meet in a tree in workgroup memory. COLS columns per workgroup.
//   main_p (plain, GPT-2 Conv1D [in, out]): invocation x of TX owns column n and walks k; consecutive x read
//          consecutive n of one row k (coalesced). KS slices of k per column (workgroup y) meet in a tree.
// LANES / KS are the reduction widths the host picks per adapter class (see src/engine/kernels/matvec.ts): a GPU
// wants them wide (32 / 4); a CPU adapter (SwiftShader) pays a thread switch per barrier, so there they are 1 and
// the trees vanish. Sums are deterministic (fixed order per width), not bitwise equal across widths.
// Columns spill into workgroup_id.y past 65535 workgroups (an LM head of 262144 columns).

struct Params {
  M : u32,
  K : u32,
  N : u32,
  alpha : f32,
  flags : u32, // bit 0: accumulate into out, bit 1: add bias
  aOff : u32,
  bOff : u32,
  outOff : u32,
}
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> out : array<f32>;
@group(0) @binding(2) var<storage, read> a : array<f32>;
@group(0) @binding(3) var<storage, read> b : array<u32>; // f32 bits, or two f16 per word (B_F16)
@group(0) @binding(4) var<storage, read> bias : array<f32>;

override TRANS_B : bool = true;
override B_F16 : bool = false;
override LANES : u32 = 32; // main_t: invocations per output column (power of two)
override COLS : u32 = 8; // main_t: output columns per workgroup
override TX : u32 = 64; // main_p: output columns per workgroup
override KS : u32 = 4; // main_p: k slices per column (power of two)
override ROWS : u32 = 1; // = params.M (1..4): how many rows of a to load

const ACCUMULATE = 1u;
const HAS_BIAS = 2u;

var<workgroup> part : array<vec4<f32>, 256>; // LANES * COLS and TX * KS are at most 256 (the host checks)

fn loadB(i : u32) -> f32 {
  if (B_F16) {
    let pair = unpack2x16float(b[i >> 1u]);
    return select(pair.x, pair.y, (i & 1u) == 1u);
  }
  return bitcast<f32>(b[i]);
}

// Row starts of a's M rows, clamped to the last row (always in bounds; extra rows are never stored).
fn rowStarts() -> vec4<u32> {
  let last = params.M - 1u;
  let K = params.K;
  return params.aOff + vec4<u32>(0u, min(1u, last), min(2u, last), min(3u, last)) * K;
}

// Only the first ROWS (= M, a pipeline constant) rows are loaded; the others stay 0 and are never stored.
fn aAt(r : vec4<u32>, k : u32) -> vec4<f32> {
  var v = vec4<f32>(a[r.x + k], 0.0, 0.0, 0.0);
  if (ROWS > 1u) { v.y = a[r.y + k]; }
  if (ROWS > 2u) { v.z = a[r.z + k]; }
  if (ROWS > 3u) { v.w = a[r.w + k]; }
  return v;
}

fn store(n : u32, s : vec4<f32>) {
  let N = params.N;
  var extra = 0.0;
  if ((params.flags & HAS_BIAS) != 0u) { extra = bias[n]; }
  for (var m = 0u; m < params.M; m++) {
    let o = params.outOff + m * N + n;
    var v = params.alpha * s[m] + extra;
    if ((params.flags & ACCUMULATE) != 0u) { v += out[o]; }
    out[o] = v;
  }
}

@compute @workgroup_size(LANES, COLS)
fn main_t(@builtin(local_invocation_id) lid : vec3<u32>, @builtin(workgroup_id) wid : vec3<u32>,
          @builtin(num_workgroups) nwg : vec3<u32>) {
  let K = params.K;
  let col = (wid.x + wid.y * nwg.x) * COLS + lid.y;
  let n = min(col, params.N - 1u);
  let rb = params.bOff + n * K;
  let r = rowStarts();
  var acc = vec4<f32>(0.0);
  var k = lid.x;
  // Unrolled by 4: four independent loads in flight per lane.
  let step = LANES * 4u;
  for (; k + 3u * LANES < K; k += step) {
    acc += loadB(rb + k) * aAt(r, k);
    acc += loadB(rb + k + LANES) * aAt(r, k + LANES);
    acc += loadB(rb + k + 2u * LANES) * aAt(r, k + 2u * LANES);
    acc += loadB(rb + k + 3u * LANES) * aAt(r, k + 3u * LANES);
  }
  for (; k < K; k += LANES) { acc += loadB(rb + k) * aAt(r, k); }
  let slot = lid.y * LANES + lid.x;
  if (LANES > 1u) {
    part[slot] = acc;
    for (var s = LANES / 2u; s > 0u; s >>= 1u) {
      workgroupBarrier();
      if (lid.x < s) { part[slot] += part[slot + s]; }
    }
    workgroupBarrier();
    acc = part[slot];
  }
  if (lid.x == 0u && col < params.N) { store(n, acc); }
}

@compute @workgroup_size(TX, KS)
fn main_p(@builtin(local_invocation_id) lid : vec3<u32>, @builtin(workgroup_id) wid : vec3<u32>,
          @builtin(num_workgroups) nwg : vec3<u32>) {
  let K = params.K;
  let N = params.N;
  let col = (wid.x + wid.y * nwg.x) * TX + lid.x;
  let n = min(col, N - 1u);
  let chunk = (K + KS - 1u) / KS;
  let k0 = min(K, lid.y * chunk);
  let k1 = min(K, k0 + chunk);
  let r = rowStarts();
  let bn = params.bOff + n;
  var acc = vec4<f32>(0.0);
  var k = k0;
  for (; k + 3u < k1; k += 4u) {
    acc += loadB(bn + k * N) * aAt(r, k);
    acc += loadB(bn + (k + 1u) * N) * aAt(r, k + 1u);
    acc += loadB(bn + (k + 2u) * N) * aAt(r, k + 2u);
    acc += loadB(bn + (k + 3u) * N) * aAt(r, k + 3u);
  }
  for (; k < k1; k++) { acc += loadB(bn + k * N) * aAt(r, k); }
  let slot = lid.y * TX + lid.x;
  if (KS > 1u) {
    part[slot] = acc;
    for (var s = KS / 2u; s > 0u; s >>= 1u) {
      workgroupBarrier();
      if (lid.y < s) { part[slot] += part[slot + s * TX]; }
    }
    workgroupBarrier();
    acc = part[slot];
  }
  if (lid.y == 0u && col < N) { store(n, acc); }
}
