// Appends the keys (or values) of the new tokens to a layer's KV cache: dst[offset + i] = src[i] for i < n.
// The cache is (kvCap, KV·hd) for one sequence, so appending Tq tokens after `past` cached ones is one contiguous
// copy at offset past·KV·hd. (Binding the cache at that offset would need 256-byte alignment, which small heads
// do not have.)
struct Params { offset : u32, n : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> dst : array<f32>;
@group(0) @binding(2) var<storage, read> src : array<f32>;

override WG : u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < params.n) { dst[params.offset + i] = src[i]; }
}
