// Causal grouped-query attention, backward: key and value gradients, deterministic (no atomics).
//
// Shapes (training: Tq = Tk = kvCap = T; vec4 access, HD4 = head_dim / 4 ≤ 64):
//   dk, dv, k, v (B, T, nKVHead·hd)   dout, q (B, T, nHead·hd)   segments (B, T) u32
//   lse, D (B, nHead, T)              D_i = Σ_d dout_i·out_i, written by attention_backward_dq.wgsl:rowdot
// With P_ij = exp(scale·q_i·k_j − lse_i) (rebuilt, never stored), dP_ij = dout_i·v_j, dS_ij = P_ij (dP_ij − D_i):
//   dv_j = Σ_h Σ_i P_ij dout_i,   dk_j = scale · Σ_h Σ_i dS_ij q_i
// where h runs over the nHead / nKVHead query heads sharing KV head kh and i over the queries that see key j
// (i ≥ j, same segment, and i − j < window when window > 0: the mask of attention_forward.wgsl). One invocation
// owns one (key row, KV head) and sums its whole group in a fixed order, so the result is reproducible and needs no
// float atomics.
//
// A workgroup holds WG consecutive key rows; every invocation walks the queries from the workgroup's first row
// (skipping i < j), so at each step all invocations read the same q/dout row. With a window each invocation walks
// exactly the queries whose window holds its key, j..min(T, j + window) − 1, and no other query is read: walking
// the union of the workgroup's windows instead, to keep the reads aligned, was 2x slower on SwiftShader at window
// 32 (T 256, hd 64, measured), as every invocation then steps through WG − 1 queries it does not see. One query
// per step: there is no rescale to amortise here, and four-wide steps made SwiftShader's compile ~4x longer for no
// speed-up. k, v and the two accumulators live in sixteen named mat4x4 blocks (HD4 is the register-tile override;
// see attention_forward.wgsl).
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

override WG : u32 = 32;
override HD4 : u32 = 16;  // head_dim / 4, 1..64

fn kBlock(o : u32, blk : u32, scale : f32) -> mat4x4<f32> {
  var m = mat4x4<f32>();
  let c = 4u * blk;
  if (c < HD4) { m[0] = k[o + c] * scale; }
  if (c + 1u < HD4) { m[1] = k[o + c + 1u] * scale; }
  if (c + 2u < HD4) { m[2] = k[o + c + 2u] * scale; }
  if (c + 3u < HD4) { m[3] = k[o + c + 3u] * scale; }
  return m;
}

fn vBlock(o : u32, blk : u32) -> mat4x4<f32> {
  var m = mat4x4<f32>();
  let c = 4u * blk;
  if (c < HD4) { m[0] = v[o + c]; }
  if (c + 1u < HD4) { m[1] = v[o + c + 1u]; }
  if (c + 2u < HD4) { m[2] = v[o + c + 2u]; }
  if (c + 3u < HD4) { m[3] = v[o + c + 3u]; }
  return m;
}

fn qDot(m : mat4x4<f32>, o : u32, blk : u32) -> vec4<f32> {
  var r = vec4<f32>(0.0);
  let c = 4u * blk;
  if (c < HD4) { r += m[0] * q[o + c]; }
  if (c + 1u < HD4) { r += m[1] * q[o + c + 1u]; }
  if (c + 2u < HD4) { r += m[2] * q[o + c + 2u]; }
  if (c + 3u < HD4) { r += m[3] * q[o + c + 3u]; }
  return r;
}

fn gDot(m : mat4x4<f32>, o : u32, blk : u32) -> vec4<f32> {
  var r = vec4<f32>(0.0);
  let c = 4u * blk;
  if (c < HD4) { r += m[0] * dout[o + c]; }
  if (c + 1u < HD4) { r += m[1] * dout[o + c + 1u]; }
  if (c + 2u < HD4) { r += m[2] * dout[o + c + 2u]; }
  if (c + 3u < HD4) { r += m[3] * dout[o + c + 3u]; }
  return r;
}

fn hsum(r : vec4<f32>) -> f32 { return r.x + r.y + r.z + r.w; }

// (q_row·scale·k, dout_row·v) for one query row starting at vec4 index o.
fn scores(o : u32, k0 : mat4x4<f32>, k1 : mat4x4<f32>, k2 : mat4x4<f32>, k3 : mat4x4<f32>,
          k4 : mat4x4<f32>, k5 : mat4x4<f32>, k6 : mat4x4<f32>, k7 : mat4x4<f32>,
          k8 : mat4x4<f32>, k9 : mat4x4<f32>, k10 : mat4x4<f32>, k11 : mat4x4<f32>,
          k12 : mat4x4<f32>, k13 : mat4x4<f32>, k14 : mat4x4<f32>, k15 : mat4x4<f32>,
          v0 : mat4x4<f32>, v1 : mat4x4<f32>, v2 : mat4x4<f32>, v3 : mat4x4<f32>,
          v4 : mat4x4<f32>, v5 : mat4x4<f32>, v6 : mat4x4<f32>, v7 : mat4x4<f32>,
          v8 : mat4x4<f32>, v9 : mat4x4<f32>, v10 : mat4x4<f32>, v11 : mat4x4<f32>,
          v12 : mat4x4<f32>, v13 : mat4x4<f32>, v14 : mat4x4<f32>, v15 : mat4x4<f32>) -> vec2<f32> {
  let s = qDot(k0, o, 0u) + qDot(k1, o, 1u) + qDot(k2, o, 2u) + qDot(k3, o, 3u)
        + qDot(k4, o, 4u) + qDot(k5, o, 5u) + qDot(k6, o, 6u) + qDot(k7, o, 7u)
        + qDot(k8, o, 8u) + qDot(k9, o, 9u) + qDot(k10, o, 10u) + qDot(k11, o, 11u)
        + qDot(k12, o, 12u) + qDot(k13, o, 13u) + qDot(k14, o, 14u) + qDot(k15, o, 15u);
  let p = gDot(v0, o, 0u) + gDot(v1, o, 1u) + gDot(v2, o, 2u) + gDot(v3, o, 3u)
        + gDot(v4, o, 4u) + gDot(v5, o, 5u) + gDot(v6, o, 6u) + gDot(v7, o, 7u)
        + gDot(v8, o, 8u) + gDot(v9, o, 9u) + gDot(v10, o, 10u) + gDot(v11, o, 11u)
        + gDot(v12, o, 12u) + gDot(v13, o, 13u) + gDot(v14, o, 14u) + gDot(v15, o, 15u);
  return vec2<f32>(hsum(s), hsum(p));
}

// acc + w·q[row] (dk) or acc + w·dout[row] (dv) over block blk (dims 16·blk..16·blk+15).
fn qAcc(acc : mat4x4<f32>, w : f32, row : u32, blk : u32) -> mat4x4<f32> {
  var m = acc;
  let c = row + 4u * blk;
  if (4u * blk < HD4) { m[0] += w * q[c]; }
  if (4u * blk + 1u < HD4) { m[1] += w * q[c + 1u]; }
  if (4u * blk + 2u < HD4) { m[2] += w * q[c + 2u]; }
  if (4u * blk + 3u < HD4) { m[3] += w * q[c + 3u]; }
  return m;
}

fn gAcc(acc : mat4x4<f32>, w : f32, row : u32, blk : u32) -> mat4x4<f32> {
  var m = acc;
  let c = row + 4u * blk;
  if (4u * blk < HD4) { m[0] += w * dout[c]; }
  if (4u * blk + 1u < HD4) { m[1] += w * dout[c + 1u]; }
  if (4u * blk + 2u < HD4) { m[2] += w * dout[c + 2u]; }
  if (4u * blk + 3u < HD4) { m[3] += w * dout[c + 3u]; }
  return m;
}

fn store(o : u32, mk : mat4x4<f32>, mv : mat4x4<f32>, blk : u32, scale : f32) {
  let c = 4u * blk;
  if (c < HD4) { dk[o + c] = mk[0] * scale; dv[o + c] = mv[0]; }
  if (c + 1u < HD4) { dk[o + c + 1u] = mk[1] * scale; dv[o + c + 1u] = mv[1]; }
  if (c + 2u < HD4) { dk[o + c + 2u] = mk[2] * scale; dv[o + c + 2u] = mv[2]; }
  if (c + 3u < HD4) { dk[o + c + 3u] = mk[3] * scale; dv[o + c + 3u] = mv[3]; }
}

// grid (ceil(T / WG), nKVHead, B)
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(workgroup_id) wid : vec3<u32>) {
  let j = gid.x;
  let kh = gid.y;
  let b = gid.z;
  if (j >= params.T) { return; }
  let T = params.T;
  let nRep = params.nHead / params.nKVHead;
  let kvRow = ((b * T + j) * params.nKVHead + kh) * HD4;
  let qStride = params.nHead * HD4;
  let segBase = b * T;
  let seg = segments[segBase + j];
  let sc = params.scale;
  let k0 = kBlock(kvRow, 0u, sc); let k1 = kBlock(kvRow, 1u, sc); let k2 = kBlock(kvRow, 2u, sc); let k3 = kBlock(kvRow, 3u, sc);
  let k4 = kBlock(kvRow, 4u, sc); let k5 = kBlock(kvRow, 5u, sc); let k6 = kBlock(kvRow, 6u, sc); let k7 = kBlock(kvRow, 7u, sc);
  let k8 = kBlock(kvRow, 8u, sc); let k9 = kBlock(kvRow, 9u, sc); let k10 = kBlock(kvRow, 10u, sc); let k11 = kBlock(kvRow, 11u, sc);
  let k12 = kBlock(kvRow, 12u, sc); let k13 = kBlock(kvRow, 13u, sc); let k14 = kBlock(kvRow, 14u, sc); let k15 = kBlock(kvRow, 15u, sc);
  let v0 = vBlock(kvRow, 0u); let v1 = vBlock(kvRow, 1u); let v2 = vBlock(kvRow, 2u); let v3 = vBlock(kvRow, 3u);
  let v4 = vBlock(kvRow, 4u); let v5 = vBlock(kvRow, 5u); let v6 = vBlock(kvRow, 6u); let v7 = vBlock(kvRow, 7u);
  let v8 = vBlock(kvRow, 8u); let v9 = vBlock(kvRow, 9u); let v10 = vBlock(kvRow, 10u); let v11 = vBlock(kvRow, 11u);
  let v12 = vBlock(kvRow, 12u); let v13 = vBlock(kvRow, 13u); let v14 = vBlock(kvRow, 14u); let v15 = vBlock(kvRow, 15u);
  var dk0 = mat4x4<f32>(); var dk1 = mat4x4<f32>(); var dk2 = mat4x4<f32>(); var dk3 = mat4x4<f32>();
  var dk4 = mat4x4<f32>(); var dk5 = mat4x4<f32>(); var dk6 = mat4x4<f32>(); var dk7 = mat4x4<f32>();
  var dk8 = mat4x4<f32>(); var dk9 = mat4x4<f32>(); var dk10 = mat4x4<f32>(); var dk11 = mat4x4<f32>();
  var dk12 = mat4x4<f32>(); var dk13 = mat4x4<f32>(); var dk14 = mat4x4<f32>(); var dk15 = mat4x4<f32>();
  var dv0 = mat4x4<f32>(); var dv1 = mat4x4<f32>(); var dv2 = mat4x4<f32>(); var dv3 = mat4x4<f32>();
  var dv4 = mat4x4<f32>(); var dv5 = mat4x4<f32>(); var dv6 = mat4x4<f32>(); var dv7 = mat4x4<f32>();
  var dv8 = mat4x4<f32>(); var dv9 = mat4x4<f32>(); var dv10 = mat4x4<f32>(); var dv11 = mat4x4<f32>();
  var dv12 = mat4x4<f32>(); var dv13 = mat4x4<f32>(); var dv14 = mat4x4<f32>(); var dv15 = mat4x4<f32>();
  // Walk iFirst ≤ i < iEnd: from the workgroup's first row to T without a window, j..min(T, j + window) − 1 with one.
  let win = params.window;
  let iFirst = select(wid.x * WG, j, win != 0u);
  let iEnd = select(T, min(T, j + win), win != 0u);
  for (var g = 0u; g < nRep; g++) {
    let h = kh * nRep + g;
    let statBase = (b * params.nHead + h) * T;
    let qBase = (b * T * params.nHead + h) * HD4;
    for (var i = iFirst; i < iEnd; i++) {
      if (i < j || segments[segBase + i] != seg) { continue; }
      let row = qBase + i * qStride;
      let r = scores(row, k0, k1, k2, k3, k4, k5, k6, k7,
                     k8, k9, k10, k11, k12, k13, k14, k15,
                     v0, v1, v2, v3, v4, v5, v6, v7,
                     v8, v9, v10, v11, v12, v13, v14, v15);
      let p = exp(r.x - lse[statBase + i]);
      let ds = p * (r.y - D[statBase + i]);
      dk0 = qAcc(dk0, ds, row, 0u); dv0 = gAcc(dv0, p, row, 0u);
      if (HD4 > 4u) { dk1 = qAcc(dk1, ds, row, 1u); dv1 = gAcc(dv1, p, row, 1u); }
      if (HD4 > 8u) { dk2 = qAcc(dk2, ds, row, 2u); dv2 = gAcc(dv2, p, row, 2u); }
      if (HD4 > 12u) { dk3 = qAcc(dk3, ds, row, 3u); dv3 = gAcc(dv3, p, row, 3u); }
      if (HD4 > 16u) { dk4 = qAcc(dk4, ds, row, 4u); dv4 = gAcc(dv4, p, row, 4u); }
      if (HD4 > 20u) { dk5 = qAcc(dk5, ds, row, 5u); dv5 = gAcc(dv5, p, row, 5u); }
      if (HD4 > 24u) { dk6 = qAcc(dk6, ds, row, 6u); dv6 = gAcc(dv6, p, row, 6u); }
      if (HD4 > 28u) { dk7 = qAcc(dk7, ds, row, 7u); dv7 = gAcc(dv7, p, row, 7u); }
      if (HD4 > 32u) { dk8 = qAcc(dk8, ds, row, 8u); dv8 = gAcc(dv8, p, row, 8u); }
      if (HD4 > 36u) { dk9 = qAcc(dk9, ds, row, 9u); dv9 = gAcc(dv9, p, row, 9u); }
      if (HD4 > 40u) { dk10 = qAcc(dk10, ds, row, 10u); dv10 = gAcc(dv10, p, row, 10u); }
      if (HD4 > 44u) { dk11 = qAcc(dk11, ds, row, 11u); dv11 = gAcc(dv11, p, row, 11u); }
      if (HD4 > 48u) { dk12 = qAcc(dk12, ds, row, 12u); dv12 = gAcc(dv12, p, row, 12u); }
      if (HD4 > 52u) { dk13 = qAcc(dk13, ds, row, 13u); dv13 = gAcc(dv13, p, row, 13u); }
      if (HD4 > 56u) { dk14 = qAcc(dk14, ds, row, 14u); dv14 = gAcc(dv14, p, row, 14u); }
      if (HD4 > 60u) { dk15 = qAcc(dk15, ds, row, 15u); dv15 = gAcc(dv15, p, row, 15u); }
    }
  }
  store(kvRow, dk0, dv0, 0u, sc); store(kvRow, dk1, dv1, 1u, sc); store(kvRow, dk2, dv2, 2u, sc); store(kvRow, dk3, dv3, 3u, sc);
  store(kvRow, dk4, dv4, 4u, sc); store(kvRow, dk5, dv5, 5u, sc); store(kvRow, dk6, dv6, 6u, sc); store(kvRow, dk7, dv7, 7u, sc);
  store(kvRow, dk8, dv8, 8u, sc); store(kvRow, dk9, dv9, 9u, sc); store(kvRow, dk10, dv10, 10u, sc); store(kvRow, dk11, dv11, 11u, sc);
  store(kvRow, dk12, dv12, 12u, sc); store(kvRow, dk13, dv13, 13u, sc); store(kvRow, dk14, dv14, 14u, sc); store(kvRow, dk15, dv15, 15u, sc);
}
