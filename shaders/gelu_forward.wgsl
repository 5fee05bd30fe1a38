// GELU, tanh approximation (HF "gelu_new" / "gelu_pytorch_tanh", used by GPT-2), elementwise over n values:
//   out = 0.5 · x · (1 + tanh(u)),  u = sqrt(2/π) · (x + 0.044715 · x³).
// tanh is our own: 1 − 2 / (exp(2|u|) + 1) with the sign restored and |u| clamped to 10 (tanh(10) rounds to 1 in
// f32), so it never overflows exp into inf/inf = NaN the way a naive (e^2u − 1)/(e^2u + 1) does for large |x|.
struct Params { n : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> out : array<f32>;
@group(0) @binding(2) var<storage, read> inp : array<f32>;

override WG : u32 = 256;
const K : f32 = 0.7978845608028654; // sqrt(2/π)

fn tanh_safe(u : f32) -> f32 {
  let a = min(abs(u), 10.0);
  return sign(u) * (1.0 - 2.0 / (exp(2.0 * a) + 1.0));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.n) { return; }
  let x = inp[i];
  let t = tanh_safe(K * (x + 0.044715 * x * x * x));
  out[i] = 0.5 * x * (1.0 + t);
}
