// Dropout (LoRA dropout on the A path), forward and backward in one entry point: dst = keep(i) ? src · scale : 0,
// scale = 1 / (1 − p), over n f32 values (flat index, spilling into gid.y). Forward: dst = out, src = inp.
// Backward: dst = dinp, src = dout — the mask is the identical function of (seed, i), so it is recomputed, never
// stored. params.acc = 1 adds into dst (backward with accumulate).
// keep(i) = hash(seed, i) ≥ threshold, threshold = round(p · 2^32) from the host, so P(drop) = p to 2^-32.
// hash = pcg(pcg(i) ^ pcg(seed ^ 0x9E3779B9)): PCG's RXS-M-XS output permutation (Jarzynski & Olano, "Hash
// Functions for GPU Rendering", 2020), a bijection of u32 with good avalanche; keying the second round by a hash
// of the seed makes different seeds give unrelated masks. Callers pass a different seed per layer and step.
struct Params { n : u32, threshold : u32, seed : u32, scale : f32, acc : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> dst : array<f32>;
@group(0) @binding(2) var<storage, read> src : array<f32>;

override WG : u32 = 256;

fn pcg(v : u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.n) { return; }
  let h = pcg(pcg(i) ^ pcg(params.seed ^ 0x9E3779B9u));
  let v = select(0.0, src[i] * params.scale, h >= params.threshold);
  if (params.acc != 0u) { dst[i] += v; } else { dst[i] = v; }
}
