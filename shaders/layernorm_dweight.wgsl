// LayerNorm backward, weight gradient: dweight[c] += Σ_n dout[n, c] · (inp[n, c] − mean[n]) · rstd[n].
//   dweight (C); dout, inp (N, C); mean, rstd (N).
// Deterministic, no float atomics: a workgroup owns TX columns and has TY row lanes; lane ty sums rows ty, ty + TY,
// ... (coalesced across columns), then the TY partials are added in a fixed order.
struct Params { N : u32, C : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> dweight : array<f32>;
@group(0) @binding(2) var<storage, read> dout : array<f32>;
@group(0) @binding(3) var<storage, read> inp : array<f32>;
@group(0) @binding(4) var<storage, read> mean : array<f32>;
@group(0) @binding(5) var<storage, read> rstd : array<f32>;

override TX : u32 = 32;
override TY : u32 = 8;
var<workgroup> part : array<f32, TX * TY>;

@compute @workgroup_size(TX, TY)
fn main(@builtin(workgroup_id) wid : vec3<u32>, @builtin(local_invocation_id) lid : vec3<u32>) {
  let c = wid.x * TX + lid.x;
  let C = params.C;
  var s = 0.0;
  if (c < C) {
    for (var n = lid.y; n < params.N; n += TY) {
      let i = n * C + c;
      s += dout[i] * (inp[i] - mean[n]) * rstd[n];
    }
  }
  part[lid.y * TX + lid.x] = s;
  workgroupBarrier();
  if (lid.y == 0u && c < C) {
    var total = 0.0;
    for (var y = 0u; y < TY; y++) { total += part[y * TX + lid.x]; }
    dweight[c] += total;
  }
}
