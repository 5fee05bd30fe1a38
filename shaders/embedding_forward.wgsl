// Token (+ learned position) embedding lookup, one thread per output element (flat over N·C, spilling into gid.y):
//   tok      out[n, c] = scale · wte[tokens[n], c]
//   tok_pos  out[n, c] = scale · wte[tokens[n], c] + wpe[positions[n], c]          (GPT-2)
//   out (N, C) f32; tokens, positions (N) u32; wte (V, C); wpe (P, C). params.scale (f32) multiplies the token row
//   only, in f32 after the lookup: 1 for most models (exact, x · 1 = x), f32(√hidden) for Gemma.
// The tables are frozen base weights stored as f32 or, with WTE_F16 / WPE_F16 (pipeline overrides), as f16 packed
// two per u32 (element i in word i / 2, low half first). Both are declared array<u32> so one shader serves every
// combination: f32 words are bitcast, f16 halves unpacked with the core builtin unpack2x16float (no shader-f16
// needed); the sum is f32 either way.
// Ids live on the GPU, so the host cannot validate them: a token id ≥ V contributes a zero row (and a position ≥ P
// contributes nothing) instead of reading another row or out of bounds. V and P come from params.
// The scale lives in token_part, which every entry point and table format goes through.
struct Params { N : u32, C : u32, V : u32, P : u32, scale : f32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> out : array<f32>;
@group(0) @binding(2) var<storage, read> tokens : array<u32>;
@group(0) @binding(3) var<storage, read> wte : array<u32>;
@group(0) @binding(4) var<storage, read> wpe : array<u32>;
@group(0) @binding(5) var<storage, read> positions : array<u32>;

override WG : u32 = 256;
override WTE_F16 : bool = false;
override WPE_F16 : bool = false;

// Element i of a table, given the word holding it: an f32 (packed = false) or a pair of f16 (packed = true).
fn unpack(word : u32, i : u32, packed : bool) -> f32 {
  if (packed) {
    let pair = unpack2x16float(word);
    return select(pair.x, pair.y, (i & 1u) != 0u);
  }
  return bitcast<f32>(word);
}

fn wteAt(i : u32) -> f32 {
  return unpack(wte[select(i, i >> 1u, WTE_F16)], i, WTE_F16);
}

fn wpeAt(i : u32) -> f32 {
  return unpack(wpe[select(i, i >> 1u, WPE_F16)], i, WPE_F16);
}

fn token_part(n : u32, c : u32) -> f32 {
  let t = tokens[n];
  if (t >= params.V) { return 0.0; }
  return wteAt(t * params.C + c) * params.scale;
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
  if (p < params.P) { v += wpeAt(p * params.C + c); }
  out[i] = v;
}
