// Sets out[i] = value for i < n. Used to zero gradient accumulators and reset buffers inside a command buffer,
// where queue.writeBuffer / clearBuffer would break the single-submit step.
struct Params { n : u32, value : f32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> out : array<f32>;

override WG : u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  // 2D grid so n may exceed 65535 * WG
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < params.n) { out[i] = params.value; }
}
