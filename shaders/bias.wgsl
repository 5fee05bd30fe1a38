// Bias backward: dbias[c] += Σ_n dout[n, c]   (dout (N, C) row-major, dbias (C)).
// Deterministic, no float atomics: a workgroup owns TX consecutive columns and has TY row lanes; lane ty sums rows
// ty, ty + TY, ... of its column (reads coalesce across the TX columns), then the TY partial sums are added in a
// fixed order, so every run gives bit-identical results. Also used for LayerNorm's dbias.
struct Params { N : u32, C : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> dbias : array<f32>;
@group(0) @binding(2) var<storage, read> dout : array<f32>;

override TX : u32 = 32;
override TY : u32 = 8;
var<workgroup> part : array<f32, TX * TY>;

@compute @workgroup_size(TX, TY)
fn main(@builtin(workgroup_id) wid : vec3<u32>, @builtin(local_invocation_id) lid : vec3<u32>) {
  let c = wid.x * TX + lid.x;
  let C = params.C;
  var s = 0.0;
  if (c < C) {
    for (var n = lid.y; n < params.N; n += TY) { s += dout[n * C + c]; }
  }
  part[lid.y * TX + lid.x] = s;
  workgroupBarrier();
  if (lid.y == 0u && c < C) {
    var total = 0.0;
    for (var y = 0u; y < TY; y++) { total += part[y * TX + lid.x]; }
    dbias[c] += total;
  }
}
