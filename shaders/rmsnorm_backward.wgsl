// RMSNorm backward, activation gradient. With y = w'·x·r, w' = offset + w and r = (mean(x²) + eps)^-1/2,
// ∂r/∂x_k = −r³·x_k / C, so
//   dx_k = r·w'_k·dy_k − x_k · r³/C · Σ_j dy_j·w'_j·x_j.
//   dinp, dout, inp (N, C); weight (C); rstd (N) from the forward. params.acc = 1 adds into dinp (the residual
//   stream sums the gradients of two paths), 0 overwrites it. params.offset as in the forward (1 for Gemma).
// One workgroup per row, same deterministic tree reduction as the forward. The weight gradient is a reduction over
// rows and lives in rmsnorm_dweight.wgsl (it does not depend on the offset: ∂(offset + w)/∂w = 1).
struct Params { N : u32, C : u32, acc : u32, offset : f32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> dinp : array<f32>;
@group(0) @binding(2) var<storage, read> dout : array<f32>;
@group(0) @binding(3) var<storage, read> inp : array<f32>;
@group(0) @binding(4) var<storage, read> weight : array<f32>;
@group(0) @binding(5) var<storage, read> rstd : array<f32>;

override WG : u32 = 128; // power of two
var<workgroup> red : array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>,
        @builtin(local_invocation_index) t : u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= params.N) { return; }
  let C = params.C;
  let base = row * C;
  var s = 0.0;
  for (var c = t; c < C; c += WG) {
    s += dout[base + c] * (params.offset + weight[c]) * inp[base + c];
  }
  red[t] = s;
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h >>= 1u) {
    if (t < h) { red[t] += red[t + h]; }
    workgroupBarrier();
  }
  let r = rstd[row];
  let k = r * r * r * red[0] / f32(C);
  for (var c = t; c < C; c += WG) {
    let i = base + c;
    let g = r * (params.offset + weight[c]) * dout[i] - inp[i] * k;
    if (params.acc != 0u) { dinp[i] += g; } else { dinp[i] = g; }
  }
}
