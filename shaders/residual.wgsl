// Residual-stream and scaling helpers, elementwise over n f32 values (flat index, rows spill into gid.y):
//   add         dst = src + src2          (residual forward: out = a + b)
//   accumulate  dst += alpha · src        (summing gradients of two paths, LoRA scaling, ...)
//   scale       dst *= alpha              (in place: the only binding is dst)
//   copy        dst = src                 (a GPU-side copy recorded in the same command buffer)
// The variables keep one binding number each across entry points, so no two variables alias a binding. A buffer
// cannot be bound twice in one dispatch, which is why in-place updates are their own single-binding entry points.
struct Params { n : u32, alpha : f32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> dst : array<f32>;
@group(0) @binding(2) var<storage, read> src : array<f32>;
@group(0) @binding(3) var<storage, read> src2 : array<f32>;

override WG : u32 = 256;

fn index(gid : vec3<u32>, nwg : vec3<u32>) -> u32 { return gid.x + gid.y * nwg.x * WG; }

@compute @workgroup_size(WG)
fn add(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = index(gid, nwg);
  if (i < params.n) { dst[i] = src[i] + src2[i]; }
}

@compute @workgroup_size(WG)
fn accumulate(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = index(gid, nwg);
  if (i < params.n) { dst[i] += params.alpha * src[i]; }
}

@compute @workgroup_size(WG)
fn scale(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = index(gid, nwg);
  if (i < params.n) { dst[i] *= params.alpha; }
}

@compute @workgroup_size(WG)
fn copy(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = index(gid, nwg);
  if (i < params.n) { dst[i] = src[i]; }
}
