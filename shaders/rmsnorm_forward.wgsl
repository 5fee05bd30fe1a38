// RMSNorm forward (HF LlamaRMSNorm / Qwen2RMSNorm, and Gemma's (1 + w) form): out = x · rsqrt(mean(x²) + eps) · (offset + w).
//   inp, out (N, C) row-major; weight (C); rstd (N) = rsqrt(mean(x²) + eps), saved for the backward pass.
//   params.offset is 0 for Llama-style norms and 1 for Gemma (HF Gemma3RMSNorm: x_normed · (1.0 + w), in f32).
// One workgroup per row: the WG threads stride over the C channels, sum x² in registers, then a fixed-shape tree
// reduction in workgroup memory (deterministic: same order every run) gives the row's sum of squares. Rows spill
// into workgroup_id.y when N > 65535. All math in f32, as HF does (it upcasts to f32 for the norm). The per-head
// q/k norms (Qwen3, Gemma 3, OLMo-style) are this same kernel over N·nHeads rows of width headDim.
struct Params { N : u32, C : u32, eps : f32, offset : f32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> out : array<f32>;
@group(0) @binding(2) var<storage, read_write> rstd : array<f32>;
@group(0) @binding(3) var<storage, read> inp : array<f32>;
@group(0) @binding(4) var<storage, read> weight : array<f32>;

override WG : u32 = 128; // power of two (tree reduction)
var<workgroup> red : array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>,
        @builtin(local_invocation_index) t : u32) {
  let row = wid.x + wid.y * nwg.x; // uniform across the workgroup, so the early return keeps barriers uniform
  if (row >= params.N) { return; }
  let C = params.C;
  let base = row * C;
  var ss = 0.0;
  for (var c = t; c < C; c += WG) {
    let x = inp[base + c];
    ss += x * x;
  }
  red[t] = ss;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (t < s) { red[t] += red[t + s]; }
    workgroupBarrier();
  }
  let r = inverseSqrt(red[0] / f32(C) + params.eps);
  if (t == 0u) { rstd[row] = r; }
  for (var c = t; c < C; c += WG) {
    out[base + c] = (inp[base + c] * r) * (params.offset + weight[c]);
  }
}
