// SwiGLU backward. With s = sigmoid(g), out = g·s·u:
//   dgate = dout · u · s · (1 + g·(1 − s)),   dup = dout · g · s.
// Elementwise over n values; params.acc = 1 adds into dgate/dup instead of overwriting them. Same overflow-free
// sigmoid as the forward.
struct Params { n : u32, acc : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> dgate : array<f32>;
@group(0) @binding(2) var<storage, read_write> dup : array<f32>;
@group(0) @binding(3) var<storage, read> dout : array<f32>;
@group(0) @binding(4) var<storage, read> gate : array<f32>;
@group(0) @binding(5) var<storage, read> up : array<f32>;

override WG : u32 = 256;

fn sigmoid(g : f32) -> f32 {
  let e = exp(-abs(g));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), g >= 0.0);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.n) { return; }
  let g = gate[i];
  let s = sigmoid(g);
  let d = dout[i];
  let dg = d * up[i] * s * (1.0 + g * (1.0 - s));
  let du = d * g * s;
  if (params.acc != 0u) {
    dgate[i] += dg;
    dup[i] += du;
  } else {
    dgate[i] = dg;
    dup[i] = du;
  }
}
