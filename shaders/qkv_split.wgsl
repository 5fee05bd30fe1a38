// GPT-2's c_attn produces one (N, 3C) row per token laid out [q | k | v]. The attention kernel wants three separate
// (N, C) buffers, so `split` copies the thirds out and `concat` (its backward) writes dq, dk, dv back into one
// (N, 3C) gradient for c_attn's matmul backward. Memory-bound and tiny next to the matmuls around it.
struct Params { n : u32, c : u32 }
@group(0) @binding(0) var<uniform> params : Params;

override WG : u32 = 256;

@group(0) @binding(1) var<storage, read_write> a : array<f32>;  // split: q,  concat: qkv
@group(0) @binding(2) var<storage, read_write> b : array<f32>;  // split: k,  concat: dq
@group(0) @binding(3) var<storage, read_write> c : array<f32>;  // split: v,  concat: dk
@group(0) @binding(4) var<storage, read_write> d : array<f32>;  // split: qkv, concat: dv

@compute @workgroup_size(WG)
fn split(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;          // over n * c
  if (i >= params.n * params.c) { return; }
  let row = i / params.c;
  let col = i % params.c;
  let base = row * 3u * params.c + col;
  a[i] = d[base];
  b[i] = d[base + params.c];
  c[i] = d[base + 2u * params.c];
}

@compute @workgroup_size(WG)
fn concat(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.n * params.c) { return; }
  let row = i / params.c;
  let col = i % params.c;
  let base = row * 3u * params.c + col;
  a[base] = b[i];
  a[base + params.c] = c[i];
  a[base + 2u * params.c] = d[i];
}
