// Causal grouped-query attention (optionally sliding-window), backward: the per-row dot D and the query gradient dq.
//
// Shapes (training: Tq = Tk = kvCap = T; vec4 access, HD4 = head_dim / 4 ≤ 64):
//   dout, out, q, dq (B, T, nHead·hd)   k, v (B, T, nKVHead·hd)   segments (B, T) u32   lse (B, nHead, T)
// With S = scale·q·kᵀ + mask, P = softmax(S) rebuilt as exp(S_ij − lse_i) (never stored), out = P·v and
// D_i = Σ_d dout_i·out_i:   dP_ij = dout_i·v_j,   dS_ij = P_ij (dP_ij − D_i),   dq_i = scale · Σ_j dS_ij k_j.
//
// Entry points (the bindings of `rowdot` are a prefix of those of `main`, so one file serves both):
//   rowdot: D into the FIRST B·nHead·T floats of the dq buffer, laid out (B, nHead, T). Nothing else writes dq
//           until `main`, which runs after the dk/dv pass has read D — so D needs no allocation of its own.
//   main:   one invocation per (query row, head); it recomputes its own D (it must not read the scratch that
//           other invocations are overwriting) and walks its visible keys max(0, i − window + 1)..i (0..i when
//           window = 0; same mask as attention_forward.wgsl) one at a time, holding scale·q, dout and the dq
//           accumulator in sixteen named mat4x4 blocks (HD4 is the register-tile override; see
//           attention_forward.wgsl).
struct Params { B : u32, T : u32, nHead : u32, nKVHead : u32, scale : f32, window : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> dq : array<f32>;
@group(0) @binding(2) var<storage, read> dout : array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> out : array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> q : array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> k : array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> v : array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> segments : array<u32>;
@group(0) @binding(8) var<storage, read> lse : array<f32>;

override WG : u32 = 64;
override HD4 : u32 = 16;  // head_dim / 4, 1..64

fn rowDot(o : u32) -> f32 {
  var acc = vec4<f32>(0.0);
  for (var d = 0u; d < HD4; d++) { acc += dout[o + d] * out[o + d]; }
  return acc.x + acc.y + acc.z + acc.w;
}

// grid (ceil(T / WG), nHead, B)
@compute @workgroup_size(WG)
fn rowdot(@builtin(global_invocation_id) gid : vec3<u32>) {
  let i = gid.x;
  let h = gid.y;
  let b = gid.z;
  if (i >= params.T) { return; }
  dq[(b * params.nHead + h) * params.T + i] = rowDot(((b * params.T + i) * params.nHead + h) * HD4);
}

fn qBlock(o : u32, blk : u32, scale : f32) -> mat4x4<f32> {
  var m = mat4x4<f32>();
  let c = 4u * blk;
  if (c < HD4) { m[0] = q[o + c] * scale; }
  if (c + 1u < HD4) { m[1] = q[o + c + 1u] * scale; }
  if (c + 2u < HD4) { m[2] = q[o + c + 2u] * scale; }
  if (c + 3u < HD4) { m[3] = q[o + c + 3u] * scale; }
  return m;
}

fn gBlock(o : u32, blk : u32) -> mat4x4<f32> {
  var m = mat4x4<f32>();
  let c = 4u * blk;
  if (c < HD4) { m[0] = dout[o + c]; }
  if (c + 1u < HD4) { m[1] = dout[o + c + 1u]; }
  if (c + 2u < HD4) { m[2] = dout[o + c + 2u]; }
  if (c + 3u < HD4) { m[3] = dout[o + c + 3u]; }
  return m;
}

fn kDot(m : mat4x4<f32>, o : u32, blk : u32) -> vec4<f32> {
  var r = vec4<f32>(0.0);
  let c = 4u * blk;
  if (c < HD4) { r += m[0] * k[o + c]; }
  if (c + 1u < HD4) { r += m[1] * k[o + c + 1u]; }
  if (c + 2u < HD4) { r += m[2] * k[o + c + 2u]; }
  if (c + 3u < HD4) { r += m[3] * k[o + c + 3u]; }
  return r;
}

fn vDot(m : mat4x4<f32>, o : u32, blk : u32) -> vec4<f32> {
  var r = vec4<f32>(0.0);
  let c = 4u * blk;
  if (c < HD4) { r += m[0] * v[o + c]; }
  if (c + 1u < HD4) { r += m[1] * v[o + c + 1u]; }
  if (c + 2u < HD4) { r += m[2] * v[o + c + 2u]; }
  if (c + 3u < HD4) { r += m[3] * v[o + c + 3u]; }
  return r;
}

fn hsum(r : vec4<f32>) -> f32 { return r.x + r.y + r.z + r.w; }

// (scale·q·k_row, dout·v_row) for one key row starting at vec4 index o.
fn scores(o : u32, q0 : mat4x4<f32>, q1 : mat4x4<f32>, q2 : mat4x4<f32>, q3 : mat4x4<f32>,
          q4 : mat4x4<f32>, q5 : mat4x4<f32>, q6 : mat4x4<f32>, q7 : mat4x4<f32>,
          q8 : mat4x4<f32>, q9 : mat4x4<f32>, q10 : mat4x4<f32>, q11 : mat4x4<f32>,
          q12 : mat4x4<f32>, q13 : mat4x4<f32>, q14 : mat4x4<f32>, q15 : mat4x4<f32>,
          g0 : mat4x4<f32>, g1 : mat4x4<f32>, g2 : mat4x4<f32>, g3 : mat4x4<f32>,
          g4 : mat4x4<f32>, g5 : mat4x4<f32>, g6 : mat4x4<f32>, g7 : mat4x4<f32>,
          g8 : mat4x4<f32>, g9 : mat4x4<f32>, g10 : mat4x4<f32>, g11 : mat4x4<f32>,
          g12 : mat4x4<f32>, g13 : mat4x4<f32>, g14 : mat4x4<f32>, g15 : mat4x4<f32>) -> vec2<f32> {
  let s = kDot(q0, o, 0u) + kDot(q1, o, 1u) + kDot(q2, o, 2u) + kDot(q3, o, 3u)
        + kDot(q4, o, 4u) + kDot(q5, o, 5u) + kDot(q6, o, 6u) + kDot(q7, o, 7u)
        + kDot(q8, o, 8u) + kDot(q9, o, 9u) + kDot(q10, o, 10u) + kDot(q11, o, 11u)
        + kDot(q12, o, 12u) + kDot(q13, o, 13u) + kDot(q14, o, 14u) + kDot(q15, o, 15u);
  let p = vDot(g0, o, 0u) + vDot(g1, o, 1u) + vDot(g2, o, 2u) + vDot(g3, o, 3u)
        + vDot(g4, o, 4u) + vDot(g5, o, 5u) + vDot(g6, o, 6u) + vDot(g7, o, 7u)
        + vDot(g8, o, 8u) + vDot(g9, o, 9u) + vDot(g10, o, 10u) + vDot(g11, o, 11u)
        + vDot(g12, o, 12u) + vDot(g13, o, 13u) + vDot(g14, o, 14u) + vDot(g15, o, 15u);
  return vec2<f32>(hsum(s), hsum(p));
}

// acc + w·k[row] over block blk.
fn kAcc(acc : mat4x4<f32>, w : f32, row : u32, blk : u32) -> mat4x4<f32> {
  var m = acc;
  let c = row + 4u * blk;
  if (4u * blk < HD4) { m[0] += w * k[c]; }
  if (4u * blk + 1u < HD4) { m[1] += w * k[c + 1u]; }
  if (4u * blk + 2u < HD4) { m[2] += w * k[c + 2u]; }
  if (4u * blk + 3u < HD4) { m[3] += w * k[c + 3u]; }
  return m;
}

// dq is bound as f32 (its head doubles as the D scratch of `rowdot`), so a vec4 goes out as four scalars.
fn put(o : u32, g : vec4<f32>) {
  let e = 4u * o;
  dq[e] = g.x;
  dq[e + 1u] = g.y;
  dq[e + 2u] = g.z;
  dq[e + 3u] = g.w;
}

fn store(o : u32, m : mat4x4<f32>, blk : u32, scale : f32) {
  let c = 4u * blk;
  if (c < HD4) { put(o + c, m[0] * scale); }
  if (c + 1u < HD4) { put(o + c + 1u, m[1] * scale); }
  if (c + 2u < HD4) { put(o + c + 2u, m[2] * scale); }
  if (c + 3u < HD4) { put(o + c + 3u, m[3] * scale); }
}

// grid (ceil(T / WG), nHead, B)
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid : vec3<u32>) {
  let i = gid.x;
  let h = gid.y;
  let b = gid.z;
  if (i >= params.T) { return; }
  let kh = h / (params.nHead / params.nKVHead);
  let rowBase = ((b * params.T + i) * params.nHead + h) * HD4;
  let kvStride = params.nKVHead * HD4;
  let kvBase = (b * params.T * params.nKVHead + kh) * HD4;
  let segBase = b * params.T;
  let seg = segments[segBase + i];
  let Di = rowDot(rowBase);
  let lsei = lse[(b * params.nHead + h) * params.T + i];
  let sc = params.scale;
  let q0 = qBlock(rowBase, 0u, sc); let q1 = qBlock(rowBase, 1u, sc); let q2 = qBlock(rowBase, 2u, sc); let q3 = qBlock(rowBase, 3u, sc);
  let q4 = qBlock(rowBase, 4u, sc); let q5 = qBlock(rowBase, 5u, sc); let q6 = qBlock(rowBase, 6u, sc); let q7 = qBlock(rowBase, 7u, sc);
  let q8 = qBlock(rowBase, 8u, sc); let q9 = qBlock(rowBase, 9u, sc); let q10 = qBlock(rowBase, 10u, sc); let q11 = qBlock(rowBase, 11u, sc);
  let q12 = qBlock(rowBase, 12u, sc); let q13 = qBlock(rowBase, 13u, sc); let q14 = qBlock(rowBase, 14u, sc); let q15 = qBlock(rowBase, 15u, sc);
  let g0 = gBlock(rowBase, 0u); let g1 = gBlock(rowBase, 1u); let g2 = gBlock(rowBase, 2u); let g3 = gBlock(rowBase, 3u);
  let g4 = gBlock(rowBase, 4u); let g5 = gBlock(rowBase, 5u); let g6 = gBlock(rowBase, 6u); let g7 = gBlock(rowBase, 7u);
  let g8 = gBlock(rowBase, 8u); let g9 = gBlock(rowBase, 9u); let g10 = gBlock(rowBase, 10u); let g11 = gBlock(rowBase, 11u);
  let g12 = gBlock(rowBase, 12u); let g13 = gBlock(rowBase, 13u); let g14 = gBlock(rowBase, 14u); let g15 = gBlock(rowBase, 15u);
  var a0 = mat4x4<f32>(); var a1 = mat4x4<f32>(); var a2 = mat4x4<f32>(); var a3 = mat4x4<f32>();
  var a4 = mat4x4<f32>(); var a5 = mat4x4<f32>(); var a6 = mat4x4<f32>(); var a7 = mat4x4<f32>();
  var a8 = mat4x4<f32>(); var a9 = mat4x4<f32>(); var a10 = mat4x4<f32>(); var a11 = mat4x4<f32>();
  var a12 = mat4x4<f32>(); var a13 = mat4x4<f32>(); var a14 = mat4x4<f32>(); var a15 = mat4x4<f32>();
  let win = params.window;
  let first = select(0u, i + 1u - win, win != 0u && i >= win);  // max(0, i − window + 1)
  for (var j = first; j <= i; j++) {
    if (segments[segBase + j] != seg) { continue; }
    let row = kvBase + j * kvStride;
    let r = scores(row, q0, q1, q2, q3, q4, q5, q6, q7,
                   q8, q9, q10, q11, q12, q13, q14, q15,
                   g0, g1, g2, g3, g4, g5, g6, g7,
                   g8, g9, g10, g11, g12, g13, g14, g15);
    let ds = exp(r.x - lsei) * (r.y - Di);
    a0 = kAcc(a0, ds, row, 0u);
    if (HD4 > 4u) { a1 = kAcc(a1, ds, row, 1u); }
    if (HD4 > 8u) { a2 = kAcc(a2, ds, row, 2u); }
    if (HD4 > 12u) { a3 = kAcc(a3, ds, row, 3u); }
    if (HD4 > 16u) { a4 = kAcc(a4, ds, row, 4u); }
    if (HD4 > 20u) { a5 = kAcc(a5, ds, row, 5u); }
    if (HD4 > 24u) { a6 = kAcc(a6, ds, row, 6u); }
    if (HD4 > 28u) { a7 = kAcc(a7, ds, row, 7u); }
    if (HD4 > 32u) { a8 = kAcc(a8, ds, row, 8u); }
    if (HD4 > 36u) { a9 = kAcc(a9, ds, row, 9u); }
    if (HD4 > 40u) { a10 = kAcc(a10, ds, row, 10u); }
    if (HD4 > 44u) { a11 = kAcc(a11, ds, row, 11u); }
    if (HD4 > 48u) { a12 = kAcc(a12, ds, row, 12u); }
    if (HD4 > 52u) { a13 = kAcc(a13, ds, row, 13u); }
    if (HD4 > 56u) { a14 = kAcc(a14, ds, row, 14u); }
    if (HD4 > 60u) { a15 = kAcc(a15, ds, row, 15u); }
  }
  store(rowBase, a0, 0u, sc); store(rowBase, a1, 1u, sc); store(rowBase, a2, 2u, sc); store(rowBase, a3, 3u, sc);
  store(rowBase, a4, 4u, sc); store(rowBase, a5, 5u, sc); store(rowBase, a6, 6u, sc); store(rowBase, a7, 7u, sc);
  store(rowBase, a8, 8u, sc); store(rowBase, a9, 9u, sc); store(rowBase, a10, 10u, sc); store(rowBase, a11, 11u, sc);
  store(rowBase, a12, 12u, sc); store(rowBase, a13, 13u, sc); store(rowBase, a14, 14u, sc); store(rowBase, a15, 15u, sc);
}
