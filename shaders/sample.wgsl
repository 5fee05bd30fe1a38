// Next-token sampling on the GPU from one row of logits (V floats at logits[off ..]): greedy, or temperature →
// top-k → top-p (nucleus) → draw, the order of src/engine/sampling.ts (HF's logits warpers). Writes the id to
// ids[slot] (what the host reads back: 4 bytes instead of V floats) and to tokens[0] (the next decoding step's
// input, so the token never has to travel through the host).
//
// Why no sort: every step of the CPU sampler is "the first element, in the order (logit desc, index asc), where a
// running quantity reaches a goal", so each is found by bisection over the 32-bit ORDER KEY of a logit (its f32
// bits mapped so that unsigned order = float order): the largest key t with  Q(elements with key >= t) >= goal.
//   top-k:  Q = count, goal k            -> tk (the k-th largest key); ties at tk are taken lowest index first
//                                             (a second bisection over the index finds how many), as a stable sort.
//   top-p:  Q = Σ e (e = exp((l - max) / T) over the top-k candidates), goal p · Σ e -> tp; kept = key >= tp.
//   draw:   Q = Σ e over kept, goal r · Σ_kept e (r uniform [0, 1) from the host's seeded stream) -> ts; the
//           token is the lowest index with key ts among the kept.
// The CPU's renormalisations cancel out of these targets. Differences from the CPU sampler: exp in f32 (the CPU's
// is f64), and exact logit ties at the top-p or draw boundary resolve to the lowest index — both only move a draw
// whose r falls within rounding of a boundary.
//
// One workgroup of WG invocations does it all (each pass strides over V, then a fixed tree in workgroup memory, so
// results are deterministic); ~100 passes over V for a full top-k/top-p draw, ONE for greedy. Reduction results are
// broadcast through workgroupUniformLoad so the bisection's control flow stays uniform.

struct Params {
  V : u32,
  off : u32, // first logit of the row
  slot : u32, // ids[slot] receives the id
  topK : u32, // 0: off
  temperature : f32, // <= 0: greedy
  topP : f32, // >= 1: off
  r : f32, // uniform [0, 1)
}
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> ids : array<u32>;
@group(0) @binding(2) var<storage, read_write> tokens : array<u32>;
@group(0) @binding(3) var<storage, read> logits : array<f32>;

override WG : u32 = 256; // power of two, at most 256

var<workgroup> redF : array<f32, 256>;
var<workgroup> redU : array<u32, 256>;
var<workgroup> outF : f32;
var<workgroup> outU : u32;

fn orderKey(x : f32) -> u32 {
  let b = bitcast<u32>(x);
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}

fn logitAt(i : u32) -> f32 { return logits[params.off + i]; }

// Selection state shared by the passes (uniform values: every invocation holds the same).
struct Sel {
  maxLogit : f32,
  tk : u32, // candidates: key > tk, or key == tk and index < cut
  cut : u32,
  tp : u32, // kept: candidate and key >= tp
}

fn isCand(s : Sel, key : u32, i : u32) -> bool {
  return key > s.tk || (key == s.tk && i < s.cut);
}

// Sum over invocations of (f, u); the result is uniform.
fn reduceSum(t : u32, f : f32, u : u32) -> vec2<f32> {
  redF[t] = f;
  redU[t] = u;
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (t < s) {
      redF[t] += redF[t + s];
      redU[t] += redU[t + s];
    }
  }
  workgroupBarrier();
  if (t == 0u) {
    outF = redF[0];
    outU = redU[0];
  }
  let c = workgroupUniformLoad(&outU);
  return vec2<f32>(workgroupUniformLoad(&outF), bitcast<f32>(c));
}

// count of elements i < V with (key >= t) [and, when useCut, key == t and i < c: see below]
fn countAtLeast(t : u32, tid : u32) -> u32 {
  var n = 0u;
  for (var i = tid; i < params.V; i += WG) { n += select(0u, 1u, orderKey(logitAt(i)) >= t); }
  return bitcast<u32>(reduceSum(tid, 0.0, n).y);
}

fn countTiesBelow(t : u32, c : u32, tid : u32) -> u32 {
  var n = 0u;
  for (var i = tid; i < min(c, params.V); i += WG) { n += select(0u, 1u, orderKey(logitAt(i)) == t); }
  return bitcast<u32>(reduceSum(tid, 0.0, n).y);
}

// Σ e and count over candidates (kept only when `kept`) with key >= t.
fn massAtLeast(s : Sel, t : u32, kept : bool, tid : u32) -> vec2<f32> {
  var m = 0.0;
  var n = 0u;
  let invT = 1.0 / params.temperature;
  for (var i = tid; i < params.V; i += WG) {
    let l = logitAt(i);
    let key = orderKey(l);
    if (isCand(s, key, i) && (!kept || key >= s.tp) && key >= t) {
      m += exp((l - s.maxLogit) * invT);
      n += 1u;
    }
  }
  return reduceSum(tid, m, n);
}

fn emit(id : u32) {
  ids[params.slot] = id;
  tokens[0] = id;
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) tid : u32) {
  let V = params.V;
  // Pass 1: the maximum key, lowest index among equals.
  var bestK = 0u;
  var bestI = 0xffffffffu;
  for (var i = tid; i < V; i += WG) {
    let k = orderKey(logitAt(i));
    if (k > bestK || (k == bestK && i < bestI)) { bestK = k; bestI = i; }
  }
  redU[tid] = bestK;
  redF[tid] = bitcast<f32>(bestI);
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (tid < s) {
      let k2 = redU[tid + s];
      let i2 = bitcast<u32>(redF[tid + s]);
      let i1 = bitcast<u32>(redF[tid]);
      if (k2 > redU[tid] || (k2 == redU[tid] && i2 < i1)) {
        redU[tid] = k2;
        redF[tid] = bitcast<f32>(i2);
      }
    }
  }
  workgroupBarrier();
  if (tid == 0u) { outU = bitcast<u32>(redF[0]); }
  let argmax = workgroupUniformLoad(&outU);
  if (params.temperature <= 0.0) {
    if (tid == 0u) { emit(argmax); }
    return;
  }
  var sel = Sel(logitAt(argmax), 0u, V, 0u);

  // top-k: tk = the largest t with count(key >= t) >= k; then how many ties at tk to take, lowest index first.
  let k = params.topK;
  if (k > 0u && k < V) {
    var t = 0u;
    for (var bit = 31; bit >= 0; bit--) {
      let c = t | (1u << u32(bit));
      if (countAtLeast(c, tid) >= k) { t = c; }
    }
    sel.tk = t;
    let above = select(countAtLeast(t + 1u, tid), 0u, t == 0xffffffffu);
    let need = k - above; // ties at t to take, >= 1
    // smallest cut with ties-below(cut) >= need: bisection over the index (largest cut with ties-below < need, + 1)
    var lo = 0u;
    for (var bit = 31; bit >= 0; bit--) {
      let c = lo | (1u << u32(bit));
      if (c <= V && countTiesBelow(t, c, tid) < need) { lo = c; }
    }
    sel.cut = lo + 1u;
  }

  // top-p: tp = the largest t with mass(candidates, key >= t) >= p · Σ.
  let total = massAtLeast(sel, 0u, false, tid).x;
  var keptMass = total;
  if (params.topP < 1.0) {
    let goal = params.topP * total;
    var t = 0u;
    for (var bit = 31; bit >= 0; bit--) {
      let c = t | (1u << u32(bit));
      if (massAtLeast(sel, c, false, tid).x >= goal) { t = c; }
    }
    sel.tp = t;
    keptMass = massAtLeast(sel, 0u, true, tid).x;
  }

  // Draw: ts = the largest t with mass(kept, key >= t) >= r · keptMass and at least one element.
  let goal = params.r * keptMass;
  var ts = 0u;
  for (var bit = 31; bit >= 0; bit--) {
    let c = ts | (1u << u32(bit));
    let q = massAtLeast(sel, c, true, tid);
    if (q.x >= goal && bitcast<u32>(q.y) >= 1u) { ts = c; }
  }
  // The lowest kept index with key ts.
  var low = 0xffffffffu;
  for (var i = tid; i < V; i += WG) {
    let key = orderKey(logitAt(i));
    if (key == ts && isCand(sel, key, i) && key >= sel.tp) { low = min(low, i); }
  }
  redU[tid] = low;
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (tid < s) { redU[tid] = min(redU[tid], redU[tid + s]); }
  }
  workgroupBarrier();
  if (tid == 0u) { emit(redU[0]); }
}
