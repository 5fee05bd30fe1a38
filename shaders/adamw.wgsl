// One AdamW step exactly as torch.optim.AdamW (decoupled weight decay), on one parameter tensor.
//   g = grad · clipScale
//   p ← p · (1 − lr·wd)                     (weight decay first, on the pre-update parameter)
//   m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
//   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)      (eps added after the square root)
// The host folds the step-dependent factors in float64: decay = 1 − lr·wd, stepSize = lr / (1 − β1^t),
// bc2Sqrt = √(1 − β2^t). status is the grad-norm buffer: [1] clipScale, [2] nonFinite — when nonFinite is set,
// nothing is written, so a NaN/Inf step leaves the last good parameters and moments.
// Shapes: param, grad, m, v (n) f32. Elementwise; more than 65535·WG elements spill into grid y.
struct Params { n : u32, beta1 : f32, beta2 : f32, eps : f32, decay : f32, stepSize : f32, bc2Sqrt : f32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> param : array<f32>;
@group(0) @binding(2) var<storage, read> grad : array<f32>;
@group(0) @binding(3) var<storage, read_write> m : array<f32>;
@group(0) @binding(4) var<storage, read_write> v : array<f32>;
@group(0) @binding(5) var<storage, read> status : array<f32>;

override WG : u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.n || status[2] != 0.0) { return; }
  let g = grad[i] * status[1];
  let mi = params.beta1 * m[i] + (1.0 - params.beta1) * g;
  let vi = params.beta2 * v[i] + (1.0 - params.beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  let denom = sqrt(vi) / params.bc2Sqrt + params.eps;
  param[i] = param[i] * params.decay - params.stepSize * mi / denom;
}
