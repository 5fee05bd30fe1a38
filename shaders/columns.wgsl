// Column-block copy between two row-major matrices with their own row strides:
//   dst[n, dstOffset + j] = src[n, srcOffset + j]     (params.acc = 0)
//   dst[n, dstOffset + j] += src[n, srcOffset + j]    (params.acc = 1)
// for n < N, j < width. dst (N, dstStride), src (N, srcStride), flat row-major. Splits fused projections (Phi-3's
// qkv_proj output (N, qW + 2·kvW) into q, k, v; gate_up_proj (N, 2I) into gate | up) and, as its backward, writes
// (or adds) the parts' gradients back into the fused gradient. One thread per copied element, flat over N·width
// (spilling into gid.y); consecutive threads read and write consecutive columns of a row. Columns outside
// [dstOffset, dstOffset + width) of dst are never touched. Memory-bound and tiny next to the matmuls around it.
struct Params { N : u32, width : u32, dstStride : u32, dstOffset : u32, srcStride : u32, srcOffset : u32, acc : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> dst : array<f32>;
@group(0) @binding(2) var<storage, read> src : array<f32>;

override WG : u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.N * params.width) { return; }
  let n = i / params.width;
  let j = i % params.width;
  let v = src[n * params.srcStride + params.srcOffset + j];
  let d = n * params.dstStride + params.dstOffset + j;
  if (params.acc != 0u) { dst[d] += v; } else { dst[d] = v; }
}
