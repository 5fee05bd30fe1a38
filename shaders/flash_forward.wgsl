// Fused causal grouped-query attention, forward (FlashAttention-2 style), optionally sliding-window.
//
// Shapes (row-major f32, read as vec4; HD4 = head_dim / 4):
//   q        (B, Tq, nHead·hd)       query i of batch b sits at absolute position Tk − Tq + i
//   k, v     (B, kvCap, nKVHead·hd)  only rows 0..Tk−1 are read (a KV cache may be larger than what is filled)
//   segments (B, kvCap) u32          document id per position; a query only sees keys of its own document
//   out      (B, Tq, nHead·hd)       softmax(scale·q·kᵀ + causal/segment/window mask)·v
//   lse      (B, nHead, Tq)          per-row logsumexp, the only statistic the backward needs
// Mask (same as attention_forward.wgsl): the query at position p sees key u iff u ≤ p, same segment id and, when
// window > 0, p − u < window. Head h reads KV head h / (nHead / nKVHead) straight from k/v (no repeated copy).
//
// Algorithm. Workgroup = ROWS consecutive query rows of one (batch, head); grid (ceil(Tq / ROWS), nHead, B), row
// blocks in reverse (workgroup x = 0 takes the last rows, which walk the most keys, so the long ones start first).
// Each row has TPR consecutive invocations ("lanes"); lane c keeps the row's scaled q and its output accumulator
// for head dims {4c..4c+3, 4(c+TPR).., …} in registers (DL4 = HD4 / TPR vec4 each). The workgroup walks the keys
// its rows can see, lo..hi−1, in tiles of TILE keys:
//   1. all invocations copy the TILE×hd K and V tile and the tile's segment ids into workgroup memory (coalesced:
//      consecutive invocations read consecutive vec4 of a key row); barrier;
//   2. each lane dots its q dims with every key of the tile; laneReduce (flash_lanes_*.wgsl, prepended: subgroup
//      shuffles or workgroup memory) sums the TPR partials, two keys per vec2, so every lane holds the row's TILE
//      full scores;
//   3. online softmax per row, once per tile: tile max m' = max(m, visible scores), rescale l and the accumulator
//      by exp(m − m'), add exp(s − m') and exp(s − m')·v over the tile's visible keys (v from workgroup memory);
//   4. barrier, next tile. At the end out = acc / l, lse = m + log l (lane 0).
// Block skipping: lo = the first row's window start (0 without a window) and hi = the last row's position + 1, so
// key tiles wholly after the workgroup's last query (causal) or wholly before its first row's window are never
// loaded; inside a tile the mask is per (row, key). Rows past Tq (the last workgroup) compute a copy of row Tq − 1
// so every invocation reaches every barrier and shuffle, and write nothing.
// Workgroup memory: kT, vT (TILE, hd) row-major vec4, segT (TILE); lane c reads vec4 c + t·TPR of a key row, so the
// TPR lanes of a row hit consecutive 16-byte words and the ROWS rows read the same words (a broadcast, no bank
// conflict). q is read once per workgroup, so it goes straight to registers rather than through workgroup memory.
// Global traffic per workgroup: its q rows once, and (hi − lo) K and V rows once for ROWS query rows (the row
// kernel attention_forward.wgsl re-reads each K/V row per query row, relying on the cache).
// Overrides: ROWS, TPR (1, 2 or 4; divides HD4), TILE (even, ≤ MAX_TILE), HD4 (DL4 ≤ MAX_DL4), RED (lane scratch).
struct Params { B : u32, Tq : u32, Tk : u32, kvCap : u32, nHead : u32, nKVHead : u32, scale : f32, window : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> out : array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> lse : array<f32>;
@group(0) @binding(3) var<storage, read> q : array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> k : array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> v : array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> segments : array<u32>;

override ROWS : u32 = 16;
override TPR : u32 = 4;
override TILE : u32 = 16;
override HD4 : u32 = 16;
override RED : u32 = 1;
const MAX_TILE : u32 = 32u;
const MAX_DL4 : u32 = 16u;
const NEG_BIG : f32 = -3.0e38;

var<workgroup> kT : array<vec4<f32>, TILE * HD4>;  // (TILE, hd) key tile
var<workgroup> vT : array<vec4<f32>, TILE * HD4>;  // (TILE, hd) value tile
var<workgroup> segT : array<u32, TILE>;

@compute @workgroup_size(ROWS * TPR)
fn main(@builtin(local_invocation_index) lid : u32, @builtin(workgroup_id) wid : vec3<u32>,
        @builtin(num_workgroups) nwg : vec3<u32>) {
  let WG = ROWS * TPR;
  let DL4 = HD4 / TPR;
  let c = lid % TPR;
  let row0 = (nwg.x - 1u - wid.x) * ROWS;  // last rows first: the longest key walks start first (less tail)
  let i = row0 + lid / TPR;
  let h = wid.y;
  let b = wid.z;
  let Tq = params.Tq;
  let past = params.Tk - Tq;
  let ic = min(i, Tq - 1u);
  let qpos = past + ic;
  let win = params.window;
  let first = select(0u, qpos + 1u - win, win != 0u && qpos >= win);  // this row's first visible key
  let posFirst = past + row0;
  let lo = select(0u, posFirst + 1u - win, win != 0u && posFirst >= win);
  let hi = past + min(row0 + ROWS, Tq);  // last row's position + 1
  let kh = h / (params.nHead / params.nKVHead);
  let kvStride = params.nKVHead * HD4;
  let kvBase = (b * params.kvCap * params.nKVHead + kh) * HD4;
  let segBase = b * params.kvCap;
  let seg = segments[segBase + qpos];
  let qBase = ((b * Tq + ic) * params.nHead + h) * HD4;

  var qr : array<vec4<f32>, MAX_DL4>;
  var acc : array<vec4<f32>, MAX_DL4>;
  for (var t = 0u; t < DL4; t++) {
    qr[t] = q[qBase + c + t * TPR] * params.scale;
    acc[t] = vec4<f32>(0.0);
  }
  var m = NEG_BIG;
  var l = 0.0;
  var s : array<vec2<f32>, MAX_TILE>;
  for (var j0 = lo; j0 < hi; j0 += TILE) {
    for (var e = lid; e < TILE * HD4; e += WG) {
      let j = j0 + e / HD4;
      var kx = vec4<f32>(0.0);
      var vx = vec4<f32>(0.0);
      if (j < hi) {
        let o = kvBase + j * kvStride + e % HD4;
        kx = k[o];
        vx = v[o];
      }
      kT[e] = kx;
      vT[e] = vx;
    }
    if (lid < TILE) { segT[lid] = segments[segBase + min(j0 + lid, hi - 1u)]; }
    workgroupBarrier();

    // two keys per vec2 (TILE is even): one shuffle per key and lane step, not two
    for (var jj = 0u; jj < TILE; jj += 2u) {
      var a = vec4<f32>(0.0);
      var a2 = vec4<f32>(0.0);
      for (var t = 0u; t < DL4; t++) {
        let o = jj * HD4 + c + t * TPR;
        a += qr[t] * kT[o];
        a2 += qr[t] * kT[o + HD4];
      }
      s[jj / 2u] = vec2<f32>(a.x + a.y + a.z + a.w, a2.x + a2.y + a2.z + a2.w);
    }
    laneReduce(lid, &s, TILE / 2u);

    var mt = m;
    for (var jj = 0u; jj < TILE; jj++) {
      let j = j0 + jj;
      if (j >= first && j <= qpos && segT[jj] == seg) { mt = max(mt, s[jj / 2u][jj % 2u]); }
    }
    let corr = exp(m - mt);
    l *= corr;
    for (var t = 0u; t < DL4; t++) { acc[t] *= corr; }
    for (var jj = 0u; jj < TILE; jj++) {
      let j = j0 + jj;
      if (j >= first && j <= qpos && segT[jj] == seg) {
        let p = exp(s[jj / 2u][jj % 2u] - mt);
        l += p;
        for (var t = 0u; t < DL4; t++) { acc[t] += p * vT[jj * HD4 + c + t * TPR]; }
      }
    }
    m = mt;
    workgroupBarrier();
  }
  if (i < Tq) {
    let inv = select(0.0, 1.0 / l, l > 0.0);
    for (var t = 0u; t < DL4; t++) { out[qBase + c + t * TPR] = acc[t] * inv; }
    if (c == 0u) { lse[(b * params.nHead + h) * Tq + i] = m + log(l); }
  }
}
