// Fused causal grouped-query attention, backward, query gradient (FlashAttention-2's dQ pass).
//
// Shapes (training: Tq = Tk = kvCap = T; vec4 access, HD4 = head_dim / 4):
//   dq, dout, out, q (B, T, nHead·hd)   k, v (B, T, nKVHead·hd)   segments (B, T) u32   lse (B, nHead, T)
// With P_ij = exp(scale·q_i·k_j − lse_i) rebuilt tile by tile (never stored), D_i = dout_i·out_i:
//   dP_ij = dout_i·v_j,   dS_ij = P_ij (dP_ij − D_i),   dq_i = scale · Σ_j dS_ij k_j.
// Organisation: that of flash_forward.wgsl (read it first; row blocks in reverse there too). Workgroup = ROWS query rows of one (batch, head), TPR
// lanes per row, each lane holding its dims of scale·q, dout and the dq accumulator in registers; the workgroup
// walks its visible key range lo..hi−1 (causal and window block skipping) in tiles of TILE keys, K and V tiles in
// workgroup memory; laneReduce sums both dots (q·k, dout·v) of every key as one vec2. No softmax rescaling here:
// lse is final. D_i is recomputed by the row itself (one lane-reduced dot): the buffer dq doubles as the scratch
// holding D for the dK/dV pass (attention_backward_dq.wgsl:rowdot), and this pass overwrites it, so it must not
// read it. Deterministic: every sum runs in a fixed order.
struct Params { B : u32, T : u32, nHead : u32, nKVHead : u32, scale : f32, window : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> dq : array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> dout : array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> out : array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> q : array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> k : array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> v : array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> segments : array<u32>;
@group(0) @binding(8) var<storage, read> lse : array<f32>;

override ROWS : u32 = 16;
override TPR : u32 = 4;
override TILE : u32 = 16;
override HD4 : u32 = 16;
override RED : u32 = 1;
const MAX_TILE : u32 = 32u;
const MAX_DL4 : u32 = 16u;

var<workgroup> kT : array<vec4<f32>, TILE * HD4>;
var<workgroup> vT : array<vec4<f32>, TILE * HD4>;
var<workgroup> segT : array<u32, TILE>;

// grid (ceil(T / ROWS), nHead, B)
@compute @workgroup_size(ROWS * TPR)
fn main(@builtin(local_invocation_index) lid : u32, @builtin(workgroup_id) wid : vec3<u32>,
        @builtin(num_workgroups) nwg : vec3<u32>) {
  let WG = ROWS * TPR;
  let DL4 = HD4 / TPR;
  let c = lid % TPR;
  let T = params.T;
  let row0 = (nwg.x - 1u - wid.x) * ROWS;  // last rows first: the longest key walks start first (less tail)
  let i = row0 + lid / TPR;
  let ic = min(i, T - 1u);
  let h = wid.y;
  let b = wid.z;
  let win = params.window;
  let first = select(0u, ic + 1u - win, win != 0u && ic >= win);
  let lo = select(0u, row0 + 1u - win, win != 0u && row0 >= win);
  let hi = min(row0 + ROWS, T);
  let kh = h / (params.nHead / params.nKVHead);
  let kvStride = params.nKVHead * HD4;
  let kvBase = (b * T * params.nKVHead + kh) * HD4;
  let segBase = b * T;
  let seg = segments[segBase + ic];
  let qBase = ((b * T + ic) * params.nHead + h) * HD4;
  let lsei = lse[(b * params.nHead + h) * T + ic];

  var qr : array<vec4<f32>, MAX_DL4>;
  var gr : array<vec4<f32>, MAX_DL4>;
  var acc : array<vec4<f32>, MAX_DL4>;
  var s : array<vec2<f32>, MAX_TILE>;
  var dpart = vec4<f32>(0.0);
  for (var t = 0u; t < DL4; t++) {
    let o = qBase + c + t * TPR;
    qr[t] = q[o] * params.scale;
    gr[t] = dout[o];
    acc[t] = vec4<f32>(0.0);
    dpart += gr[t] * out[o];
  }
  s[0] = vec2<f32>(dpart.x + dpart.y + dpart.z + dpart.w, 0.0);
  laneReduce(lid, &s, 1u);
  let Di = s[0].x;

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

    for (var jj = 0u; jj < TILE; jj++) {
      var a = vec4<f32>(0.0);
      var g = vec4<f32>(0.0);
      for (var t = 0u; t < DL4; t++) {
        let o = jj * HD4 + c + t * TPR;
        a += qr[t] * kT[o];
        g += gr[t] * vT[o];
      }
      s[jj] = vec2<f32>(a.x + a.y + a.z + a.w, g.x + g.y + g.z + g.w);
    }
    laneReduce(lid, &s, TILE);

    for (var jj = 0u; jj < TILE; jj++) {
      let j = j0 + jj;
      if (j >= first && j <= ic && segT[jj] == seg) {
        let ds = exp(s[jj].x - lsei) * (s[jj].y - Di);
        for (var t = 0u; t < DL4; t++) { acc[t] += ds * kT[jj * HD4 + c + t * TPR]; }
      }
    }
    workgroupBarrier();
  }
  if (i < T) {
    for (var t = 0u; t < DL4; t++) { dq[qBase + c + t * TPR] = acc[t] * params.scale; }
  }
}
