// SwiGLU MLP core (Llama/Qwen2/Mistral): out = silu(gate) · up, silu(g) = g · sigmoid(g). Elementwise over n values
// (gate, up, out are the (N, intermediate) matmul outputs, flattened). The sigmoid is evaluated in the form that
// never overflows exp: for g < 0 it uses e^g / (1 + e^g).
struct Params { n : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> out : array<f32>;
@group(0) @binding(2) var<storage, read> gate : array<f32>;
@group(0) @binding(3) var<storage, read> up : array<f32>;

override WG : u32 = 256;

fn sigmoid(g : f32) -> f32 {
  let e = exp(-abs(g)); // in (0, 1]
  return select(e / (1.0 + e), 1.0 / (1.0 + e), g >= 0.0);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.n) { return; }
  let g = gate[i];
  out[i] = g * sigmoid(g) * up[i];
}
