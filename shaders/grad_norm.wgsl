// Global gradient norm over many buffers and torch clip_grad_norm_'s clip factor, without reading back.
//
// status (f32): [0] Σ g² so far, [1] clipScale, [2] nonFinite (0/1), [3] unused, [4 .. 4+MAX_PARTIALS) partials.
// Entry points, recorded in this order by src/engine/kernels/grad_norm.ts:
//   begin    status[0..4) = (0, 1, 0, 0)
//   partial  per trainable tensor: G ≤ MAX_PARTIALS workgroups each sum the squares of a fixed strided share of
//            grads and write one partial to status[4 + workgroup]
//   reduce   one workgroup adds the G partials (strided, then a tree: a fixed order) to status[0]
//   finish   norm = √status[0]; clipScale = min(1, maxNorm / (norm + 1e-6)) (1 when maxNorm ≤ 0); nonFinite =
//            norm is NaN/Inf (clipScale is then 0). AdamW reads [1] and [2].
// Why the partials live inside status: each dispatch then binds status exactly once (a buffer may not be bound
// twice in one dispatch), and the partials of one tensor are consumed by its `reduce` pass before the next
// tensor's `partial` pass overwrites them (passes of one command buffer run in order). The split of every tensor
// into partials depends only on its length, so the sum is bitwise reproducible.
struct Params { n : u32, groups : u32, maxNorm : f32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> status : array<f32>;
@group(0) @binding(2) var<storage, read> grads : array<f32>;

override WG : u32 = 256;            // a power of two (4 on a CPU adapter: see src/engine/kernels/reductionThreads.ts)
const MAX_PARTIALS : u32 = 256u;
const PARTIALS : u32 = 4u;          // offset of the partials in status
var<workgroup> red : array<f32, WG>;

fn treeSum(lid : u32) -> f32 {
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  return red[0];
}

@compute @workgroup_size(1)
fn begin() {
  status[0] = 0.0;
  status[1] = 1.0;
  status[2] = 0.0;
  status[3] = 0.0;
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
  if (lid == 0u) { status[PARTIALS + wid.x] = total; }
}

// grid (1)
@compute @workgroup_size(WG)
fn reduce(@builtin(local_invocation_index) lid : u32) {
  var s = 0.0;
  for (var g = lid; g < params.groups; g += WG) { s += status[PARTIALS + g]; }
  red[lid] = s;
  let total = treeSum(lid);
  if (lid == 0u) { status[0] += total; }
}

// grid (1)
@compute @workgroup_size(1)
fn finish() {
  let normSq = status[0];
  // NaN or ±Inf: every exponent bit set (WGSL has no isnan, and compilers may fold x != x away)
  let nonFinite = (bitcast<u32>(normSq) & 0x7f800000u) == 0x7f800000u;
  let norm = sqrt(normSq);
  var scale = 1.0;
  if (params.maxNorm > 0.0) { scale = min(1.0, params.maxNorm / (norm + 1e-6)); }
  status[1] = select(scale, 0.0, nonFinite);
  status[2] = select(0.0, 1.0, nonFinite);
}
