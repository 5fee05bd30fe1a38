// Fused causal grouped-query attention, backward, key and value gradients (FlashAttention-2's dK/dV pass).
//
// Shapes (training: Tq = Tk = kvCap = T; vec4 access, HD4 = head_dim / 4):
//   dk, dv, k, v (B, T, nKVHead·hd)   dout, q (B, T, nHead·hd)   segments (B, T) u32
//   lse, D (B, nHead, T)              D_i = dout_i·out_i (attention_backward_dq.wgsl:rowdot, run just before)
// With P_ij = exp(scale·q_i·k_j − lse_i) (rebuilt, never stored), dS_ij = P_ij (dout_i·v_j − D_i):
//   dv_j = Σ_h Σ_i P_ij dout_i,   dk_j = scale · Σ_h Σ_i dS_ij q_i
// h over the nHead / nKVHead query heads of KV head kh, i over the queries that see key j (the mask of
// flash_forward.wgsl). Organisation: the transpose of the forward's. Workgroup = ROWS key rows of one (batch, KV
// head); TPR lanes per key row hold its dims of scale·k, v and the two accumulators in registers. For each query
// head of the group in turn, the workgroup walks the queries that can see its keys, lo..hi−1 in tiles of TILE:
// lo = its first key (causal: earlier queries never see it), hi = T, or with a window the last key + window (later
// queries' windows have passed it) — the block skipping of this pass. A tile of q, dout rows, their lse, D and
// segment ids is copied into workgroup memory; laneReduce (flash_lanes_*.wgsl) sums both dots per query as one
// vec2; the lanes then accumulate p·dout and dS·q. The group's heads are summed inside one invocation in a fixed
// order: no atomics, reproducible, and the repeated K/V of GQA never exists. Key blocks in grid order: the first
// ones walk the most queries and start first. Rows past T compute a copy of row
// T − 1 and write nothing.
struct Params { B : u32, T : u32, nHead : u32, nKVHead : u32, scale : f32, window : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> dk : array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dv : array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> dout : array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> q : array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> k : array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> v : array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> segments : array<u32>;
@group(0) @binding(8) var<storage, read> lse : array<f32>;
@group(0) @binding(9) var<storage, read> D : array<f32>;

override ROWS : u32 = 16;
override TPR : u32 = 4;
override TILE : u32 = 16;
override HD4 : u32 = 16;
override RED : u32 = 1;
const MAX_TILE : u32 = 32u;
const MAX_DL4 : u32 = 16u;

var<workgroup> qT : array<vec4<f32>, TILE * HD4>;  // (TILE, hd) query tile
var<workgroup> gT : array<vec4<f32>, TILE * HD4>;  // (TILE, hd) dout tile
var<workgroup> lseT : array<f32, TILE>;
var<workgroup> dT : array<f32, TILE>;
var<workgroup> segT : array<u32, TILE>;

// grid (ceil(T / ROWS), nKVHead, B)
@compute @workgroup_size(ROWS * TPR)
fn main(@builtin(local_invocation_index) lid : u32, @builtin(workgroup_id) wid : vec3<u32>) {
  let WG = ROWS * TPR;
  let DL4 = HD4 / TPR;
  let c = lid % TPR;
  let T = params.T;
  let row0 = wid.x * ROWS;
  let j = row0 + lid / TPR;
  let jc = min(j, T - 1u);
  let kh = wid.y;
  let b = wid.z;
  let nRep = params.nHead / params.nKVHead;
  let win = params.window;
  let lo = row0;
  let hi = select(T, min(T, min(row0 + ROWS, T) - 1u + win), win != 0u);
  let kvRow = ((b * T + jc) * params.nKVHead + kh) * HD4;
  let qStride = params.nHead * HD4;
  let segBase = b * T;
  let seg = segments[segBase + jc];

  var kr : array<vec4<f32>, MAX_DL4>;
  var vr : array<vec4<f32>, MAX_DL4>;
  var dka : array<vec4<f32>, MAX_DL4>;
  var dva : array<vec4<f32>, MAX_DL4>;
  for (var t = 0u; t < DL4; t++) {
    let o = kvRow + c + t * TPR;
    kr[t] = k[o] * params.scale;
    vr[t] = v[o];
    dka[t] = vec4<f32>(0.0);
    dva[t] = vec4<f32>(0.0);
  }
  var s : array<vec2<f32>, MAX_TILE>;
  for (var g = 0u; g < nRep; g++) {
    let h = kh * nRep + g;
    let statBase = (b * params.nHead + h) * T;
    let qBase = (b * T * params.nHead + h) * HD4;
    for (var i0 = lo; i0 < hi; i0 += TILE) {
      for (var e = lid; e < TILE * HD4; e += WG) {
        let i = i0 + e / HD4;
        var qx = vec4<f32>(0.0);
        var gx = vec4<f32>(0.0);
        if (i < hi) {
          let o = qBase + i * qStride + e % HD4;
          qx = q[o];
          gx = dout[o];
        }
        qT[e] = qx;
        gT[e] = gx;
      }
      if (lid < TILE) {
        let i = min(i0 + lid, hi - 1u);
        lseT[lid] = lse[statBase + i];
        dT[lid] = D[statBase + i];
        segT[lid] = segments[segBase + i];
      }
      workgroupBarrier();

      for (var ii = 0u; ii < TILE; ii++) {
        var a = vec4<f32>(0.0);
        var p = vec4<f32>(0.0);
        for (var t = 0u; t < DL4; t++) {
          let o = ii * HD4 + c + t * TPR;
          a += kr[t] * qT[o];
          p += vr[t] * gT[o];
        }
        s[ii] = vec2<f32>(a.x + a.y + a.z + a.w, p.x + p.y + p.z + p.w);
      }
      laneReduce(lid, &s, TILE);

      for (var ii = 0u; ii < TILE; ii++) {
        let i = i0 + ii;
        if (i >= jc && i < hi && (win == 0u || i - jc < win) && segT[ii] == seg) {
          let pr = exp(s[ii].x - lseT[ii]);
          let ds = pr * (s[ii].y - dT[ii]);
          for (var t = 0u; t < DL4; t++) {
            let o = ii * HD4 + c + t * TPR;
            dva[t] += pr * gT[o];
            dka[t] += ds * qT[o];
          }
        }
      }
      workgroupBarrier();
    }
  }
  if (j < T) {
    for (var t = 0u; t < DL4; t++) {
      let o = kvRow + c + t * TPR;
      dk[o] = dka[t] * params.scale;
      dv[o] = dva[t];
    }
  }
}
