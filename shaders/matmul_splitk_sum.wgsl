// Second pass of a split-K matmul (see shaders/matmul.wgsl): the first pass left `chunks` partial products of the
// (M, N) output one after another in `part` (chunk z's element i at part[z * count + i], count = M * N), each the
// product over one k range. This sums them in chunk order — a fixed order, so the result is deterministic (no float
// atomics) — and finishes like the one-pass kernel does:
//   out[outOff + i] = alpha * sum_z part[z * count + i]  [+ bias[i % N]]  [+ out[outOff + i] when accumulating]
// One invocation per output element: count is r·C for the LoRA gradients, a few thousand values read `chunks`
// times, so this pass costs a fraction of the first.
struct Params {
  count : u32,
  N : u32,
  chunks : u32,
  alpha : f32,
  flags : u32, // bit 0: accumulate into out, bit 1: add bias
  outOff : u32,
}
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> out : array<f32>;
@group(0) @binding(2) var<storage, read> part : array<f32>;
@group(0) @binding(3) var<storage, read> bias : array<f32>;

override WG : u32 = 256;

const ACCUMULATE = 1u;
const HAS_BIAS = 2u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG; // 2D grid: count may exceed 65535 * WG
  let count = params.count;
  if (i >= count) { return; }
  var s = 0.0;
  for (var z = 0u; z < params.chunks; z++) {
    s += part[z * count + i];
  }
  var v = params.alpha * s;
  if ((params.flags & HAS_BIAS) != 0u) { v += bias[i % params.N]; }
  let o = params.outOff + i;
  if ((params.flags & ACCUMULATE) != 0u) { v += out[o]; }
  out[o] = v;
}
