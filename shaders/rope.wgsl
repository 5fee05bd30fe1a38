// Rotary position embeddings, in place, HF "rotate half" convention (Llama, Qwen2, Mistral), optionally partial
// (Phi-3 / Phi-4-mini partial_rotary_factor, GPT-NeoX rotary_pct).
//   x (N, nHeads·headDim) row-major (q or k after the projection); positions (N) u32 (packed sequences restart at
//   0); invFreq (rotaryDim/2) computed on the host, so llama3 / linear / dynamic / longrope scaling live outside
//   this shader. rotaryDim ≤ headDim is even; rotaryDim = headDim is full RoPE.
// Within each head, element i < rotaryDim/2 pairs with i + rotaryDim/2 and both rotate by angle = position·invFreq[i]:
//   x1' = x1·cos − x2·sin,  x2' = x2·cos + x1·sin          (sign = +1, forward)
// Elements rotaryDim ≤ i < headDim pass through untouched (nobody writes them, as HF concatenates them back).
// The backward pass is the transposed rotation, i.e. the same code with sin negated (sign = −1).
// One thread per (row, i): it computes cos/sin once and applies them to every head of the row.
// Entry point `qk` rotates q (nHeads heads, binding x) and k (nHeads2 heads, binding x2) of the same rows in one
// dispatch (both use the same positions and invFreq, so one cos/sin serves both; each buffer's result is exactly the
// one `main` gives it alone).
//
// Precision: like HF, the angle is the f32 product position·invFreq (so we reproduce its rounding, which at large
// positions dominates any cos/sin error). Built-in WGSL sin/cos are only required to be within 2^-11 absolute on
// [−π, π] (SwiftShader measures ~2·10^-4) and degrade outside it, so we evaluate them ourselves: Cody–Waite reduction
// by j·π/2 with a four-part split of π/2 (P1..P3 carry 7 significant bits, so j·P1..j·P3 are exact for
// |j| < 2^17, i.e. angles up to ~2·10^5 rad), then Cephes-style minimax polynomials on [−π/4, π/4] (a few ulp).
struct Params { N : u32, nHeads : u32, headDim : u32, sign : f32, rotaryDim : u32, nHeads2 : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> x : array<f32>;
@group(0) @binding(2) var<storage, read> positions : array<u32>;
@group(0) @binding(3) var<storage, read> invFreq : array<f32>;
@group(0) @binding(4) var<storage, read_write> x2 : array<f32>; // `qk` only: k (N, nHeads2·headDim)

override WG : u32 = 64;

const TWO_OVER_PI : f32 = 0.6366197723675814;
const P1 : f32 = 1.5625;                  // 25 / 16
const P2 : f32 = 0.0081787109375;         // 67 / 2^13
const P3 : f32 = 0.00011730194091796875;  // 123 / 2^20
const P4 : f32 = 3.1391647326e-7;         // π/2 − P1 − P2 − P3, rounded to f32

// (cos a, sin a) to a few ulp for |a| up to ~2·10^5.
fn cos_sin(a : f32) -> vec2<f32> {
  let j = round(a * TWO_OVER_PI);
  let r = (((a - j * P1) - j * P2) - j * P3) - j * P4; // |r| ≲ π/4
  let z = r * r;
  let s = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
  let c = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
  switch (i32(j) & 3) {
    case 0: { return vec2<f32>(c, s); }
    case 1: { return vec2<f32>(-s, c); }
    case 2: { return vec2<f32>(-c, -s); }
    default: { return vec2<f32>(s, -c); }
  }
}

// (row n, pair i) of this invocation and its (cos, sign·sin), or n = N when past the end.
struct Pair { n : u32, i : u32, c : f32, s : f32 }

fn pairOf(gid : vec3<u32>, nwg : vec3<u32>) -> Pair {
  let half = params.rotaryDim / 2u;
  let t = gid.x + gid.y * nwg.x * WG;
  if (t >= params.N * half) { return Pair(params.N, 0u, 0.0, 0.0); }
  let n = t / half;
  let i = t % half;
  let cs = cos_sin(f32(positions[n]) * invFreq[i]);
  return Pair(n, i, cs.x, params.sign * cs.y);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let p = pairOf(gid, nwg);
  if (p.n >= params.N) { return; }
  let half = params.rotaryDim / 2u;
  let rowBase = p.n * params.nHeads * params.headDim;
  for (var h = 0u; h < params.nHeads; h++) {
    let a = rowBase + h * params.headDim + p.i;
    let b = a + half;
    let x1 = x[a];
    let x2v = x[b];
    x[a] = x1 * p.c - x2v * p.s;
    x[b] = x2v * p.c + x1 * p.s;
  }
}

@compute @workgroup_size(WG)
fn qk(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let p = pairOf(gid, nwg);
  if (p.n >= params.N) { return; }
  let half = params.rotaryDim / 2u;
  let rowBase = p.n * params.nHeads * params.headDim;
  for (var h = 0u; h < params.nHeads; h++) {
    let a = rowBase + h * params.headDim + p.i;
    let b = a + half;
    let x1 = x[a];
    let x2v = x[b];
    x[a] = x1 * p.c - x2v * p.s;
    x[b] = x2v * p.c + x1 * p.s;
  }
  let rowBase2 = p.n * params.nHeads2 * params.headDim;
  for (var h = 0u; h < params.nHeads2; h++) {
    let a = rowBase2 + h * params.headDim + p.i;
    let b = a + half;
    let x1 = x2[a];
    let x2v = x2[b];
    x2[a] = x1 * p.c - x2v * p.s;
    x2[b] = x2v * p.c + x1 * p.s;
  }
}
