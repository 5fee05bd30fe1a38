// LayerNorm forward (GPT-2; torch.nn.LayerNorm semantics: biased variance, eps inside the sqrt):
//   out = (x − mean) · rstd · w + b,  rstd = 1 / sqrt(var + eps).
//   inp, out (N, C) row-major; weight, bias (C); mean, rstd (N) saved for the backward pass.
// One workgroup per row (rows spill into workgroup_id.y past 65535). Two passes over the row: the mean first, then
// Σ(x − mean)², which avoids the cancellation of E[x²] − E[x]². Each sum is a fixed-shape tree reduction in
// workgroup memory, so results are deterministic.
struct Params { N : u32, C : u32, eps : f32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> out : array<f32>;
@group(0) @binding(2) var<storage, read_write> mean : array<f32>;
@group(0) @binding(3) var<storage, read_write> rstd : array<f32>;
@group(0) @binding(4) var<storage, read> inp : array<f32>;
@group(0) @binding(5) var<storage, read> weight : array<f32>;
@group(0) @binding(6) var<storage, read> bias : array<f32>;

override WG : u32 = 128; // power of two (tree reduction)
var<workgroup> red : array<f32, WG>;

// Sum of every thread's `v` over the workgroup; all threads get the result.
fn block_sum(t : u32, v : f32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (t < s) { red[t] += red[t + s]; }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier(); // red is reused by the next call
  return total;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>,
        @builtin(local_invocation_index) t : u32) {
  let row = wid.x + wid.y * nwg.x; // uniform, so the early return keeps barriers in uniform control flow
  if (row >= params.N) { return; }
  let C = params.C;
  let base = row * C;
  var s = 0.0;
  for (var c = t; c < C; c += WG) { s += inp[base + c]; }
  let m = block_sum(t, s) / f32(C);
  var v = 0.0;
  for (var c = t; c < C; c += WG) {
    let d = inp[base + c] - m;
    v += d * d;
  }
  let r = 1.0 / sqrt(block_sum(t, v) / f32(C) + params.eps);
  if (t == 0u) {
    mean[row] = m;
    rstd[row] = r;
  }
  for (var c = t; c < C; c += WG) {
    out[base + c] = (inp[base + c] - m) * r * weight[c] + bias[c];
  }
}
