// GELU (tanh approximation) backward, elementwise over n values. With u = K·(x + 0.044715·x³), t = tanh(u):
//   dinp = dout · (0.5·(1 + t) + 0.5·x·(1 − t²)·K·(1 + 3·0.044715·x²)).
// params.acc = 1 adds into dinp instead of overwriting. Same overflow-free tanh as the forward.
struct Params { n : u32, acc : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> dinp : array<f32>;
@group(0) @binding(2) var<storage, read> dout : array<f32>;
@group(0) @binding(3) var<storage, read> inp : array<f32>;

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
  let g = dout[i] * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * K * (1.0 + 3.0 * 0.044715 * x * x));
  if (params.acc != 0u) { dinp[i] += g; } else { dinp[i] = g; }
}
