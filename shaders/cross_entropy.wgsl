// Cross-entropy fused with the softmax over the vocabulary, Hugging Face semantics (ignore_index = -100).
//
// Shapes: logits (N, V) f32, targets (N) i32 already shifted by the caller (row t holds the label of token t+1),
// losses (N) f32. rowOffset places a block of N rows inside longer targets / losses: row r of the logits uses
// targets[rowOffset + r] and writes losses[rowOffset + r] (the LM head computes its logits a row chunk at a time).
//   losses[r] = logsumexp(logits[r, :]) − logits[r, target]      (0 for ignored rows)
// With `backward` set, logits are overwritten IN PLACE with
//   dlogits[r, :] = (softmax(logits[r, :]) − onehot(target)) · lossScale     (a zero row for ignored rows)
// so the (N, V) logits buffer doubles as its own gradient and the vocabulary-sized activation exists once.
// lossScale = 1 / (trained targets in the whole batch) makes this the gradient of HF's mean-reduced loss.
// A target outside [0, V) that is not -100 yields a NaN loss (and a NaN gradient row) rather than reading out of
// bounds; the gradient-norm kernel then flags the step as non-finite.
//
// Organisation (why): one workgroup per row, because V is 30k–150k: a strided loop per invocation, then tree
// reductions in workgroup memory — first the max (so exp never overflows), then Σ exp(x − max) — and a final
// strided pass for the gradient. The target logit is read by every invocation before the first barrier, so the
// in-place gradient writes can never race with that read. Rows beyond 65535 spill into the y grid dimension.
struct Params { N : u32, V : u32, backward : u32, lossScale : f32, rowOffset : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> losses : array<f32>;
@group(0) @binding(2) var<storage, read_write> logits : array<f32>;
@group(0) @binding(3) var<storage, read> targets : array<i32>;

override WG : u32 = 256;  // a power of two
const NEG_BIG : f32 = -3.4e38;
var<workgroup> red : array<f32, WG>;

// A runtime NaN (WGSL rejects NaN in constant expressions).
var<private> NAN_BITS : u32 = 0x7fc00000u;
fn nan() -> f32 { return bitcast<f32>(NAN_BITS); }

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>,
        @builtin(local_invocation_index) lid : u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= params.N) { return; }
  let V = params.V;
  let base = row * V;
  let t = targets[params.rowOffset + row];
  if (t == -100) {
    if (lid == 0u) { losses[params.rowOffset + row] = 0.0; }
    if (params.backward != 0u) {
      for (var j = lid; j < V; j += WG) { logits[base + j] = 0.0; }
    }
    return;
  }
  let inRange = t >= 0 && u32(t) < V;
  let xt = logits[base + select(0u, u32(t), inRange)];

  var m = NEG_BIG;
  for (var j = lid; j < V; j += WG) { m = max(m, logits[base + j]); }
  red[lid] = m;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] = max(red[lid], red[lid + s]); }
    workgroupBarrier();
  }
  let rowMax = red[0];
  workgroupBarrier();

  var sum = 0.0;
  for (var j = lid; j < V; j += WG) { sum += exp(logits[base + j] - rowMax); }
  red[lid] = sum;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  let lse = rowMax + log(red[0]);

  if (lid == 0u) { losses[params.rowOffset + row] = select(nan(), lse - xt, inRange); }
  if (params.backward != 0u) {
    let scale = select(nan(), params.lossScale, inRange);
    for (var j = lid; j < V; j += WG) {
      let p = exp(logits[base + j] - lse);
      logits[base + j] = (p - select(0.0, 1.0, i32(j) == t)) * scale;
    }
  }
}
