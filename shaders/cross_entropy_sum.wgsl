// total[0] = Σ losses[0..N): one workgroup, a strided loop then a tree reduction, so the result is the same on
// every run and the training step reads back a single float.
struct Params { N : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> total : array<f32>;
@group(0) @binding(2) var<storage, read> losses : array<f32>;

override WG : u32 = 256;  // a power of two
var<workgroup> red : array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid : u32) {
  var s = 0.0;
  for (var i = lid; i < params.N; i += WG) { s += losses[i]; }
  red[lid] = s;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) { red[lid] += red[lid + k]; }
    workgroupBarrier();
  }
  if (lid == 0u) { total[0] = red[0]; }
}
