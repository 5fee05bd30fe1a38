// sums[0] = Σ losses[i] over the answer positions (answer[i] ≠ 0), sums[1] = Σ losses[i] over the rest: a training
// step's loss split into the answer tokens and the prompt/other tokens, on the same per-token losses. One workgroup,
// a strided loop then a tree reduction per sum, so the result is the same on every run and only two floats are read.
struct Params { N : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> sums : array<f32>;
@group(0) @binding(2) var<storage, read> losses : array<f32>;
@group(0) @binding(3) var<storage, read> answer : array<u32>;

override WG : u32 = 256;  // a power of two
var<workgroup> redA : array<f32, WG>;
var<workgroup> redO : array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid : u32) {
  var a = 0.0;
  var o = 0.0;
  for (var i = lid; i < params.N; i += WG) {
    let l = losses[i];
    if (answer[i] != 0u) { a += l; } else { o += l; }
  }
  redA[lid] = a;
  redO[lid] = o;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      redA[lid] += redA[lid + k];
      redO[lid] += redO[lid + k];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    sums[0] = redA[0];
    sums[1] = redO[0];
  }
}
