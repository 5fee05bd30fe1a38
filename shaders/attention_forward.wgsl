// Causal grouped-query attention, forward, softmax fused (flash-style: no T×T score matrix is ever stored),
// optionally restricted to a sliding window.
//
// Shapes (row-major f32, read as vec4; HD4 = head_dim / 4, so head_dim is a multiple of 4 and at most 256):
//   q        (B, Tq, nHead·hd)       query i of batch b sits at absolute position Tk − Tq + i
//   k, v     (B, kvCap, nKVHead·hd)  only rows 0..Tk−1 are read (a KV cache may be larger than what is filled)
//   segments (B, kvCap) u32          document id per position; a query only sees keys of its own document
//   out      (B, Tq, nHead·hd)       softmax(scale·q·kᵀ + causal/segment/window mask)·v
//   lse      (B, nHead, Tq)          per-row logsumexp of the scaled, masked scores: all the backward pass needs to
//                                    rebuild the probabilities, so memory stays O(T) per head instead of O(T²)
// Head h reads KV head h / (nHead / nKVHead), the layout of Hugging Face's repeat_kv. The query at absolute
// position p sees key u iff u ≤ p, u has p's segment id and, when window > 0, p − u < window (Hugging Face's
// sliding-window mask). Keys before the window are not masked but never visited: the loop starts at
// max(0, p − window + 1), so a windowed row costs O(window), not O(p).
//
// Organisation (why): one invocation owns one (query row, head) and walks its visible keys once with the online
// softmax: running max m, running sum l and the output accumulator, rescaled by exp(m_old − m_new) as the max grows.
// A workgroup is WG consecutive query rows of one head, so its invocations read the same K/V row at the same time
// (broadcast in GPU caches). With a window each row starts at its own first key instead, one row apart from its
// neighbour: starting the whole workgroup at its first row's first key and skipping keys outside each row's window
// was 2x slower on SwiftShader at window 32 (T 256, hd 64, measured). q and the accumulator live in sixteen named
// mat4x4 blocks (16 dims each, so head_dim ≤ 256), not in arrays: SwiftShader spills private arrays to memory and
// was 2x slower that way (measured). HD4 is therefore a pipeline override — the register-tile size, fixed per model
// — so the per-block guards `c < HD4` fold away and unused blocks cost nothing (going from eight blocks to sixteen
// left hd 64 as fast as before on SwiftShader, measured; at hd 256, every block live and spilling, each attention
// kernel takes ~8-20 s to compile there, once per pipeline); every other size is a param (one pipeline per head
// dim). Scoring four keys per rescale ran no faster on SwiftShader (loads dominate) and tripled its compile time, so
// it is one key per step. The same kernel serves training (Tq = Tk = kvCap = T) and KV-cache decoding (Tq small, Tk
// = filled length, kvCap = capacity); keys past the query (and before its window) are never read, so unfilled cache
// rows can hold anything.
struct Params { B : u32, Tq : u32, Tk : u32, kvCap : u32, nHead : u32, nKVHead : u32, scale : f32, window : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> out : array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> lse : array<f32>;
@group(0) @binding(3) var<storage, read> q : array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> k : array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> v : array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> segments : array<u32>;

override WG : u32 = 64;
override HD4 : u32 = 16;  // head_dim / 4, 1..64
const NEG_BIG : f32 = -3.0e38;

// Block blk of this row's q (dims 16·blk .. 16·blk+15), scaled; zero past the head dim.
fn qBlock(o : u32, blk : u32, scale : f32) -> mat4x4<f32> {
  var m = mat4x4<f32>();
  let c = 4u * blk;
  if (c < HD4) { m[0] = q[o + c] * scale; }
  if (c + 1u < HD4) { m[1] = q[o + c + 1u] * scale; }
  if (c + 2u < HD4) { m[2] = q[o + c + 2u] * scale; }
  if (c + 3u < HD4) { m[3] = q[o + c + 3u] * scale; }
  return m;
}

// Partial q·k over block blk for the key row starting at vec4 index o.
fn kDot(m : mat4x4<f32>, o : u32, blk : u32) -> vec4<f32> {
  var r = vec4<f32>(0.0);
  let c = 4u * blk;
  if (c < HD4) { r += m[0] * k[o + c]; }
  if (c + 1u < HD4) { r += m[1] * k[o + c + 1u]; }
  if (c + 2u < HD4) { r += m[2] * k[o + c + 2u]; }
  if (c + 3u < HD4) { r += m[3] * k[o + c + 3u]; }
  return r;
}

fn score(o : u32, q0 : mat4x4<f32>, q1 : mat4x4<f32>, q2 : mat4x4<f32>, q3 : mat4x4<f32>,
         q4 : mat4x4<f32>, q5 : mat4x4<f32>, q6 : mat4x4<f32>, q7 : mat4x4<f32>,
         q8 : mat4x4<f32>, q9 : mat4x4<f32>, q10 : mat4x4<f32>, q11 : mat4x4<f32>,
         q12 : mat4x4<f32>, q13 : mat4x4<f32>, q14 : mat4x4<f32>, q15 : mat4x4<f32>) -> f32 {
  let r = kDot(q0, o, 0u) + kDot(q1, o, 1u) + kDot(q2, o, 2u) + kDot(q3, o, 3u)
        + kDot(q4, o, 4u) + kDot(q5, o, 5u) + kDot(q6, o, 6u) + kDot(q7, o, 7u)
        + kDot(q8, o, 8u) + kDot(q9, o, 9u) + kDot(q10, o, 10u) + kDot(q11, o, 11u)
        + kDot(q12, o, 12u) + kDot(q13, o, 13u) + kDot(q14, o, 14u) + kDot(q15, o, 15u);
  return r.x + r.y + r.z + r.w;
}

// acc·corr + p·v[row] over block blk: the online-softmax rescale and one key's contribution.
fn vAcc(acc : mat4x4<f32>, corr : f32, p : f32, row : u32, blk : u32) -> mat4x4<f32> {
  var m = acc * corr;
  let c = row + 4u * blk;
  if (4u * blk < HD4) { m[0] += p * v[c]; }
  if (4u * blk + 1u < HD4) { m[1] += p * v[c + 1u]; }
  if (4u * blk + 2u < HD4) { m[2] += p * v[c + 2u]; }
  if (4u * blk + 3u < HD4) { m[3] += p * v[c + 3u]; }
  return m;
}

fn store(o : u32, m : mat4x4<f32>, blk : u32, inv : f32) {
  let c = 4u * blk;
  if (c < HD4) { out[o + c] = m[0] * inv; }
  if (c + 1u < HD4) { out[o + c + 1u] = m[1] * inv; }
  if (c + 2u < HD4) { out[o + c + 2u] = m[2] * inv; }
  if (c + 3u < HD4) { out[o + c + 3u] = m[3] * inv; }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid : vec3<u32>) {
  let i = gid.x;
  let h = gid.y;
  let b = gid.z;
  if (i >= params.Tq) { return; }
  let qpos = params.Tk - params.Tq + i;
  let win = params.window;
  let first = select(0u, qpos + 1u - win, win != 0u && qpos >= win);  // max(0, qpos − window + 1)
  let kh = h / (params.nHead / params.nKVHead);
  let qBase = ((b * params.Tq + i) * params.nHead + h) * HD4;
  let kvStride = params.nKVHead * HD4;
  let kvBase = (b * params.kvCap * params.nKVHead + kh) * HD4;
  let segBase = b * params.kvCap;
  let seg = segments[segBase + qpos];
  let sc = params.scale;
  let q0 = qBlock(qBase, 0u, sc); let q1 = qBlock(qBase, 1u, sc); let q2 = qBlock(qBase, 2u, sc); let q3 = qBlock(qBase, 3u, sc);
  let q4 = qBlock(qBase, 4u, sc); let q5 = qBlock(qBase, 5u, sc); let q6 = qBlock(qBase, 6u, sc); let q7 = qBlock(qBase, 7u, sc);
  let q8 = qBlock(qBase, 8u, sc); let q9 = qBlock(qBase, 9u, sc); let q10 = qBlock(qBase, 10u, sc); let q11 = qBlock(qBase, 11u, sc);
  let q12 = qBlock(qBase, 12u, sc); let q13 = qBlock(qBase, 13u, sc); let q14 = qBlock(qBase, 14u, sc); let q15 = qBlock(qBase, 15u, sc);
  var a0 = mat4x4<f32>(); var a1 = mat4x4<f32>(); var a2 = mat4x4<f32>(); var a3 = mat4x4<f32>();
  var a4 = mat4x4<f32>(); var a5 = mat4x4<f32>(); var a6 = mat4x4<f32>(); var a7 = mat4x4<f32>();
  var a8 = mat4x4<f32>(); var a9 = mat4x4<f32>(); var a10 = mat4x4<f32>(); var a11 = mat4x4<f32>();
  var a12 = mat4x4<f32>(); var a13 = mat4x4<f32>(); var a14 = mat4x4<f32>(); var a15 = mat4x4<f32>();
  var m = NEG_BIG;
  var l = 0.0;
  for (var j = first; j <= qpos; j++) {
    if (segments[segBase + j] != seg) { continue; }
    let row = kvBase + j * kvStride;
    let s = score(row, q0, q1, q2, q3, q4, q5, q6, q7,
                  q8, q9, q10, q11, q12, q13, q14, q15);
    let bm = max(m, s);
    let corr = exp(m - bm);
    let p = exp(s - bm);
    l = l * corr + p;
    m = bm;
    a0 = vAcc(a0, corr, p, row, 0u);
    if (HD4 > 4u) { a1 = vAcc(a1, corr, p, row, 1u); }
    if (HD4 > 8u) { a2 = vAcc(a2, corr, p, row, 2u); }
    if (HD4 > 12u) { a3 = vAcc(a3, corr, p, row, 3u); }
    if (HD4 > 16u) { a4 = vAcc(a4, corr, p, row, 4u); }
    if (HD4 > 20u) { a5 = vAcc(a5, corr, p, row, 5u); }
    if (HD4 > 24u) { a6 = vAcc(a6, corr, p, row, 6u); }
    if (HD4 > 28u) { a7 = vAcc(a7, corr, p, row, 7u); }
    if (HD4 > 32u) { a8 = vAcc(a8, corr, p, row, 8u); }
    if (HD4 > 36u) { a9 = vAcc(a9, corr, p, row, 9u); }
    if (HD4 > 40u) { a10 = vAcc(a10, corr, p, row, 10u); }
    if (HD4 > 44u) { a11 = vAcc(a11, corr, p, row, 11u); }
    if (HD4 > 48u) { a12 = vAcc(a12, corr, p, row, 12u); }
    if (HD4 > 52u) { a13 = vAcc(a13, corr, p, row, 13u); }
    if (HD4 > 56u) { a14 = vAcc(a14, corr, p, row, 14u); }
    if (HD4 > 60u) { a15 = vAcc(a15, corr, p, row, 15u); }
  }
  let inv = select(0.0, 1.0 / l, l > 0.0);
  store(qBase, a0, 0u, inv); store(qBase, a1, 1u, inv); store(qBase, a2, 2u, inv); store(qBase, a3, 3u, inv);
  store(qBase, a4, 4u, inv); store(qBase, a5, 5u, inv); store(qBase, a6, 6u, inv); store(qBase, a7, 7u, inv);
  store(qBase, a8, 8u, inv); store(qBase, a9, 9u, inv); store(qBase, a10, 10u, inv); store(qBase, a11, 11u, inv);
  store(qBase, a12, 12u, inv); store(qBase, a13, 13u, inv); store(qBase, a14, 14u, inv); store(qBase, a15, 15u, inv);
  lse[(b * params.nHead + h) * params.Tq + i] = m + log(l);
}
