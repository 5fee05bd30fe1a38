// Embedding backward, a scatter-add: dtable[ids[n], c] += scale · dout[n, c] for every n (dtable = dwte with
// ids = tokens and the forward's token scale, or dwpe with ids = positions and scale 1). dout (N, C); ids (N) u32;
// dtable (rows, C).
// Deterministic without float atomics: thread (c, k) owns column c of the table rows whose id ≡ k (mod K), and walks
// all N ids in order, adding only its own rows. No two threads touch the same element and each element's sum is
// taken in increasing n, so results are bit-identical run to run. ids[n] is the same for the whole workgroup at
// each step (a broadcast read), and the K row classes multiply the parallelism beyond C threads. Work is O(K·N·C)
// id checks for O(N·C) adds, fine for the few thousand tokens of a step. Ids ≥ rows are ignored.
struct Params { N : u32, C : u32, rows : u32, K : u32, scale : f32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> dtable : array<f32>;
@group(0) @binding(2) var<storage, read> dout : array<f32>;
@group(0) @binding(3) var<storage, read> ids : array<u32>;

override WG : u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid : vec3<u32>) {
  let c = gid.x;
  let k = gid.y;
  let C = params.C;
  if (c >= C) { return; }
  for (var n = 0u; n < params.N; n++) {
    let id = ids[n];
    if (id < params.rows && id % params.K == k) {
      dtable[id * C + c] += params.scale * dout[n * C + c];
    }
  }
}
