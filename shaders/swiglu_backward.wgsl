// Gated MLP core backward, out = act(g)·u (see swiglu_forward.wgsl; ACT picks the activation):
//   dgate = dout · u · act'(g),   dup = dout · act(g).
//   silu (ACT = 0), s = sigmoid(g):  act = g·s,  act' = s · (1 + g·(1 − s)).
//   gelu_tanh (ACT = 1), t = tanh(K·(g + 0.044715·g³)):  act = 0.5·g·(1 + t),
//     act' = 0.5·(1 + t) + 0.5·g·(1 − t²)·K·(1 + 3·0.044715·g²)   (gelu_backward.wgsl's derivative).
// Elementwise over n values; params.acc = 1 adds into dgate/dup instead of overwriting them. Same overflow-free
// sigmoid and tanh as the forward.
// Entry point `fused`: the gate/up halves of one fused projection, gateUp (rows, 2·width) = [gate | up] per row, read
// in place, and the gradient written (or added) straight into the fused gradient dgateUp (rows, 2·width) in the same
// layout (bindings: dgateUp, dout (rows, width), gateUp); n = rows·width. Same arithmetic per element as `main`.
struct Params { n : u32, acc : u32, width : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> dgate : array<f32>;
@group(0) @binding(2) var<storage, read_write> dup : array<f32>;
@group(0) @binding(3) var<storage, read> dout : array<f32>;
@group(0) @binding(4) var<storage, read> gate : array<f32>;
@group(0) @binding(5) var<storage, read> up : array<f32>;
@group(0) @binding(2) var<storage, read> fdout : array<f32>;  // `fused` only
@group(0) @binding(3) var<storage, read> fgateUp : array<f32>; // `fused` only

override WG : u32 = 256;
override ACT : u32 = 0; // 0 silu, 1 gelu_tanh
const K : f32 = 0.7978845608028654; // sqrt(2/π)

fn sigmoid(g : f32) -> f32 {
  let e = exp(-abs(g));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), g >= 0.0);
}

fn tanh_safe(u : f32) -> f32 {
  let a = min(abs(u), 10.0);
  return sign(u) * (1.0 - 2.0 / (exp(2.0 * a) + 1.0));
}

// (act(g), act'(g))
fn act_and_grad(g : f32) -> vec2<f32> {
  if (ACT == 1u) {
    let t = tanh_safe(K * (g + 0.044715 * g * g * g));
    return vec2<f32>(0.5 * g * (1.0 + t), 0.5 * (1.0 + t) + 0.5 * g * (1.0 - t * t) * K * (1.0 + 3.0 * 0.044715 * g * g));
  }
  let s = sigmoid(g);
  return vec2<f32>(g * s, s * (1.0 + g * (1.0 - s)));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.n) { return; }
  let a = act_and_grad(gate[i]);
  let d = dout[i];
  let dg = d * up[i] * a.y;
  let du = d * a.x;
  if (params.acc != 0u) {
    dgate[i] += dg;
    dup[i] += du;
  } else {
    dgate[i] = dg;
    dup[i] = du;
  }
}

@compute @workgroup_size(WG)
fn fused(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.n) { return; }
  let w = params.width;
  let j = (i / w) * 2u * w + i % w; // gate's column in gateUp / dgateUp; up's is j + w
  let a = act_and_grad(fgateUp[j]);
  let d = fdout[i];
  let dg = d * fgateUp[j + w] * a.y;
  let du = d * a.x;
  if (params.acc != 0u) {
    dgate[j] += dg;
    dgate[j + w] += du;
  } else {
    dgate[j] = dg;
    dgate[j + w] = du;
  }
}
