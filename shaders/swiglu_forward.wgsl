// Gated MLP core, elementwise over n values (gate, up, out are the (N, intermediate) matmul outputs, flattened):
//   out = act(gate) · up
// with act chosen per pipeline by the ACT override:
//   ACT = 0  silu(g) = g · sigmoid(g)                                  SwiGLU (Llama, Qwen, Mistral, Phi-3, OLMo 2)
//   ACT = 1  gelu_tanh(g) = 0.5 · g · (1 + tanh(K·(g + 0.044715·g³)))   GeGLU (Gemma 3, HF gelu_pytorch_tanh)
// The sigmoid is evaluated in the form that never overflows exp: for g < 0 it uses e^g / (1 + e^g). The tanh-GELU
// is exactly gelu_forward.wgsl's, including its overflow-free tanh (|u| clamped to 10).
// Entry point `fused`: gate and up are the two halves of one fused projection output gateUp (rows, 2·width) =
// [gate | up] per row (Phi-3's gate_up_proj), read in place (bound at `gate`) instead of first copied apart;
// n = rows·width, out (rows, width).
struct Params { n : u32, width : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> out : array<f32>;
@group(0) @binding(2) var<storage, read> gate : array<f32>;
@group(0) @binding(3) var<storage, read> up : array<f32>;

override WG : u32 = 256;
override ACT : u32 = 0; // 0 silu, 1 gelu_tanh
const K : f32 = 0.7978845608028654; // sqrt(2/π)

fn sigmoid(g : f32) -> f32 {
  let e = exp(-abs(g)); // in (0, 1]
  return select(e / (1.0 + e), 1.0 / (1.0 + e), g >= 0.0);
}

fn tanh_safe(u : f32) -> f32 {
  let a = min(abs(u), 10.0);
  return sign(u) * (1.0 - 2.0 / (exp(2.0 * a) + 1.0));
}

fn act(g : f32) -> f32 {
  if (ACT == 1u) {
    let t = tanh_safe(K * (g + 0.044715 * g * g * g));
    return 0.5 * g * (1.0 + t);
  }
  return g * sigmoid(g);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.n) { return; }
  out[i] = act(gate[i]) * up[i];
}

@compute @workgroup_size(WG)
fn fused(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.n) { return; }
  let w = params.width;
  let g = (i / w) * 2u * w + i % w; // gate's column i % w of row i / w; up is w further
  out[i] = act(gate[g]) * gate[g + w];
}
