// One AdamW step exactly as torch.optim.AdamW (decoupled weight decay), on one parameter tensor.
//   g = grad · clipScale
//   p ← p · (1 − lr·wd)                     (weight decay first, on the pre-update parameter)
//   m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
//   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)      (eps added after the square root)
// The host folds the step-dependent factors in float64: decay = 1 − lr·wd, stepSize = lr / (1 − β1^t),
// bc2Sqrt = √(1 − β2^t). status is the optimizer's status buffer (shaders/grad_norm.wgsl): [1] clipScale,
// [2] nonFinite — when nonFinite is set, no parameter or moment is written, so a NaN/Inf step leaves the last good
// parameters and moments. Every gradient element is set to 0 once read (also on a skipped step), so the next
// optimizer step's backward accumulates onto zeros without a separate fill.
// The NaN guard's parameter norms ride along: G workgroups take a fixed strided share of the tensor each (so G stays
// bounded however long it is), and workgroup w writes Σ p² of its share before the update to status[before + w] and
// after it (the value left in memory, unchanged on a non-finite step) to status[after + w]; grad_norm.wgsl's `sums`
// adds them up once for all tensors. The per-element arithmetic is the same as one thread per element.
// Shapes: param, grad, m, v (n) f32.
struct Params {
  n : u32, groups : u32, before : u32, after : u32,
  beta1 : f32, beta2 : f32, eps : f32, decay : f32, stepSize : f32, bc2Sqrt : f32,
}
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> param : array<f32>;
@group(0) @binding(2) var<storage, read_write> grad : array<f32>;
@group(0) @binding(3) var<storage, read_write> m : array<f32>;
@group(0) @binding(4) var<storage, read_write> v : array<f32>;
@group(0) @binding(5) var<storage, read_write> status : array<f32>;

override WG : u32 = 256;            // a power of two (4 on a CPU adapter: see src/engine/kernels/reductionThreads.ts)
var<workgroup> red : array<vec2<f32>, WG>;

// grid (G): G = params.groups
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid : vec3<u32>, @builtin(local_invocation_index) lid : u32) {
  let skip = status[2] != 0.0;
  let clip = status[1];
  var s = vec2<f32>(0.0);
  for (var i = wid.x * WG + lid; i < params.n; i += params.groups * WG) {
    let p = param[i];
    let gi = grad[i];
    grad[i] = 0.0;
    var q = p;
    if (!skip) {
      let g = gi * clip;
      let mi = params.beta1 * m[i] + (1.0 - params.beta1) * g;
      let vi = params.beta2 * v[i] + (1.0 - params.beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      let denom = sqrt(vi) / params.bc2Sqrt + params.eps;
      q = p * params.decay - params.stepSize * mi / denom;
      param[i] = q;
    }
    s += vec2<f32>(p * p, q * q);
  }
  red[lid] = s;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) { red[lid] += red[lid + k]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    status[params.before + wid.x] = red[0].x;
    status[params.after + wid.x] = red[0].y;
  }
}
