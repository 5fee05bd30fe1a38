// Global gradient norm over many buffers and torch clip_grad_norm_'s clip factor, without reading back; also the
// generic "sum a range of partials" pass the NaN guard's parameter norms use (their partials come from AdamW).
//
// status (f32): [0] Σ g², [1] clipScale, [2] nonFinite (0/1), [3] Σ p² before the AdamW update, [4] Σ p² after it,
// [5..8) unused, then partial sums. Every trainable tensor owns a fixed region of partials (offsets are fixed by the
// trainable list: src/engine/kernels/optimizerStatus.ts), so no pass waits on another tensor's. Entry points, recorded
// by src/engine/kernels/grad_norm.ts:
//   partial  per trainable tensor: G ≤ MAX_PARTIALS workgroups each sum the squares of a fixed strided share of
//            grads and write one partial to status[offset + workgroup]
//   finish   one workgroup sums the partials of ALL tensors, status[from .. from+count), in a fixed order (strided by
//            thread, then a tree) into status[0]; then norm = √status[0]; clipScale = min(1, maxNorm / (norm + 1e-6))
//            (1 when maxNorm ≤ 0); nonFinite = norm is NaN/Inf (clipScale is then 0). AdamW reads [1] and [2].
//   sums     workgroup w sums status[from + w·count .. + count) into status[dest + w] (same fixed order)
// Why the partials live inside status: each dispatch then binds status exactly once (a buffer may not be bound
// twice in one dispatch). The split of every tensor into partials depends only on its length and the device's
// width, and the final sum's order only on the trainable list, so the sum is bitwise reproducible run to run. (It is
// not summed tensor by tensor any more: all partials are added in one strided pass, a different but fixed order.)
struct Params { n : u32, groups : u32, maxNorm : f32, offset : u32, count : u32, dest : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> status : array<f32>;
@group(0) @binding(2) var<storage, read> grads : array<f32>;

override WG : u32 = 256;            // a power of two (4 on a CPU adapter: see src/engine/kernels/reductionThreads.ts)
var<workgroup> red : array<f32, WG>;

fn treeSum(lid : u32) -> f32 {
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  return red[0];
}

// Σ status[first .. first+count), thread lid taking every WG-th partial, then the tree.
fn rangeSum(lid : u32, first : u32, count : u32) -> f32 {
  var s = 0.0;
  for (var g = lid; g < count; g += WG) { s += status[first + g]; }
  red[lid] = s;
  return treeSum(lid);
}

// grid (G): G = params.groups
@compute @workgroup_size(WG)
fn partial(@builtin(workgroup_id) wid : vec3<u32>, @builtin(local_invocation_index) lid : u32) {
  var s = 0.0;
  for (var i = wid.x * WG + lid; i < params.n; i += params.groups * WG) {
    let g = grads[i];
    s += g * g;
  }
  red[lid] = s;
  let total = treeSum(lid);
  if (lid == 0u) { status[params.offset + wid.x] = total; }
}

// grid (1)
@compute @workgroup_size(WG)
fn finish(@builtin(local_invocation_index) lid : u32) {
  let normSq = rangeSum(lid, params.offset, params.count);
  if (lid != 0u) { return; }
  // NaN or ±Inf: every exponent bit set (WGSL has no isnan, and compilers may fold x != x away)
  let nonFinite = (bitcast<u32>(normSq) & 0x7f800000u) == 0x7f800000u;
  let norm = sqrt(normSq);
  var scale = 1.0;
  if (params.maxNorm > 0.0) { scale = min(1.0, params.maxNorm / (norm + 1e-6)); }
  status[0] = normSq;
  status[1] = select(scale, 0.0, nonFinite);
  status[2] = select(0.0, 1.0, nonFinite);
}

// grid (W)
@compute @workgroup_size(WG)
fn sums(@builtin(workgroup_id) wid : vec3<u32>, @builtin(local_invocation_index) lid : u32) {
  let total = rangeSum(lid, params.offset + wid.x * params.count, params.count);
  if (lid == 0u) { status[params.dest + wid.x] = total; }
}
