// LayerNorm backward, activation gradient. With xhat = (x − mean)·rstd and g = dout·w:
//   dinp = rstd · (g − mean_c(g) − xhat · mean_c(g · xhat)).
//   dinp, dout, inp (N, C); weight (C); mean, rstd (N) from the forward. params.acc = 1 adds into dinp (the
//   residual stream sums two paths), 0 overwrites.
// One workgroup per row; the two row sums share one tree reduction over vec2 (deterministic order). dweight is a
// reduction over rows in layernorm_dweight.wgsl; dbias is bias.wgsl's column sum.
struct Params { N : u32, C : u32, acc : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> dinp : array<f32>;
@group(0) @binding(2) var<storage, read> dout : array<f32>;
@group(0) @binding(3) var<storage, read> inp : array<f32>;
@group(0) @binding(4) var<storage, read> weight : array<f32>;
@group(0) @binding(5) var<storage, read> mean : array<f32>;
@group(0) @binding(6) var<storage, read> rstd : array<f32>;

override WG : u32 = 128; // power of two
var<workgroup> red : array<vec2<f32>, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>,
        @builtin(local_invocation_index) t : u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= params.N) { return; }
  let C = params.C;
  let base = row * C;
  let m = mean[row];
  let r = rstd[row];
  var acc = vec2<f32>(0.0);
  for (var c = t; c < C; c += WG) {
    let g = dout[base + c] * weight[c];
    acc += vec2<f32>(g, g * (inp[base + c] - m) * r);
  }
  red[t] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (t < s) { red[t] += red[t + s]; }
    workgroupBarrier();
  }
  let sums = red[0] / f32(C);
  for (var c = t; c < C; c += WG) {
    let i = base + c;
    let xhat = (inp[i] - m) * r;
    let d = r * (dout[i] * weight[c] - sums.x - xhat * sums.y);
    if (params.acc != 0u) { dinp[i] += d; } else { dinp[i] = d; }
  }
}
