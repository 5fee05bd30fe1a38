// Token (+ learned position) embedding lookup, one thread per output element (flat over N·C, spilling into gid.y):
//   tok      out[n, c] = wte[tokens[n], c]
//   tok_pos  out[n, c] = wte[tokens[n], c] + wpe[positions[n], c]          (GPT-2)
//   out (N, C); tokens, positions (N) u32; wte (V, C); wpe (P, C).
// Ids live on the GPU, so the host cannot validate them: a token id ≥ V contributes a zero row (and a position ≥ P
// contributes nothing) instead of reading another row or out of bounds. V and P come from params.
struct Params { N : u32, C : u32, V : u32, P : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> out : array<f32>;
@group(0) @binding(2) var<storage, read> tokens : array<u32>;
@group(0) @binding(3) var<storage, read> wte : array<f32>;
@group(0) @binding(4) var<storage, read> wpe : array<f32>;
@group(0) @binding(5) var<storage, read> positions : array<u32>;

override WG : u32 = 256;

fn token_part(n : u32, c : u32) -> f32 {
  let t = tokens[n];
  if (t >= params.V) { return 0.0; }
  return wte[t * params.C + c];
}

@compute @workgroup_size(WG)
fn tok(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.N * params.C) { return; }
  out[i] = token_part(i / params.C, i % params.C);
}

@compute @workgroup_size(WG)
fn tok_pos(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.N * params.C) { return; }
  let n = i / params.C;
  let c = i % params.C;
  var v = token_part(n, c);
  let p = positions[n];
  if (p < params.P) { v += wpe[p * params.C + c]; }
  out[i] = v;
}
