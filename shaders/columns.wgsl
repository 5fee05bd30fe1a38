// Column-block copy between two row-major matrices with their own row strides:
//   dst[n, dstOffset + j] = src[n, srcOffset + j]     (params.acc = 0)
//   dst[n, dstOffset + j] += src[n, srcOffset + j]    (params.acc = 1)
// for n < N, j < width. dst (N, dstStride), src (N, srcStride), flat row-major. Splits fused projections (Phi-3's
// qkv_proj output (N, qW + 2·kvW) into q, k, v; gate_up_proj (N, 2I) into gate | up) and, as its backward, writes
// (or adds) the parts' gradients back into the fused gradient. One thread per copied element, flat over N·width
// (spilling into gid.y); consecutive threads read and write consecutive columns of a row. Columns outside
// [dstOffset, dstOffset + width) of dst are never touched. Memory-bound and tiny next to the matmuls around it.
//
// Entry points `split3` / `merge3`: all three parts of a fused (N, w0 + w1 + w2) matrix in one dispatch (a fused
// qkv_proj / c_attn output and its gradient), one thread per fused element:
//   split3  part_p[n, j] = fused[n, off_p + j]           (bindings: part0, part1, part2, fused)
//   merge3  fused[n, off_p + j] = part_p[n, j]           (bindings: fused, part0, part1, part2)
// with widths (width, w1, w2) = (params.width, params.dstStride, params.dstOffset) reused as w0, w1, w2.
struct Params { N : u32, width : u32, dstStride : u32, dstOffset : u32, srcStride : u32, srcOffset : u32, acc : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> dst : array<f32>;
@group(0) @binding(2) var<storage, read> src : array<f32>;
// split3 / merge3 only (each entry point uses one set of these):
@group(0) @binding(1) var<storage, read_write> part0 : array<f32>;
@group(0) @binding(2) var<storage, read_write> part1 : array<f32>;
@group(0) @binding(3) var<storage, read_write> part2 : array<f32>;
@group(0) @binding(4) var<storage, read> fusedIn : array<f32>;
@group(0) @binding(1) var<storage, read_write> fusedOut : array<f32>;
@group(0) @binding(2) var<storage, read> in0 : array<f32>;
@group(0) @binding(3) var<storage, read> in1 : array<f32>;
@group(0) @binding(4) var<storage, read> in2 : array<f32>;

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

// (row n, part p, column j within the part) of fused element i; widths w0, w1, w2.
fn locate(i : u32) -> vec3<u32> {
  let w0 = params.width;
  let w1 = params.dstStride;
  let W = w0 + w1 + params.dstOffset;
  let n = i / W;
  let c = i % W;
  if (c < w0) { return vec3<u32>(n, 0u, c); }
  if (c < w0 + w1) { return vec3<u32>(n, 1u, c - w0); }
  return vec3<u32>(n, 2u, c - w0 - w1);
}

@compute @workgroup_size(WG)
fn split3(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.N * (params.width + params.dstStride + params.dstOffset)) { return; }
  let l = locate(i);
  let v = fusedIn[i];
  switch (l.y) {
    case 0u: { part0[l.x * params.width + l.z] = v; }
    case 1u: { part1[l.x * params.dstStride + l.z] = v; }
    default: { part2[l.x * params.dstOffset + l.z] = v; }
  }
}

@compute @workgroup_size(WG)
fn merge3(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.N * (params.width + params.dstStride + params.dstOffset)) { return; }
  let l = locate(i);
  var v : f32;
  switch (l.y) {
    case 0u: { v = in0[l.x * params.width + l.z]; }
    case 1u: { v = in1[l.x * params.dstStride + l.z]; }
    default: { v = in2[l.x * params.dstOffset + l.z]; }
  }
  fusedOut[i] = v;
}
