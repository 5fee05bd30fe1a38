// Lane reduction of the fused attention kernels (flash_*.wgsl), for adapters WITHOUT subgroups.
//
// The flash kernels give each row (a query row, or a key row in the dK/dV pass) TPR consecutive invocations
// ("lanes"); lane c holds the head dims 4c, 4c+1, … of the row in steps of 4·TPR, so every dot product of a tile
// is TPR partial sums. laneReduce turns each lane's first n ≤ TILE partials (vec2: two dot products at once) into
// the full sums, the same in every lane of the row, through workgroup memory (n is uniform): write all partials, barrier, read the row's
// TPR partials per entry in lane order (fixed order: reproducible), barrier (so the next call may overwrite).
// Two barriers per tile; with TPR = 1 it does nothing. The subgroup variant (flash_lanes_subgroup.wgsl) does the
// same with register shuffles. This file is prepended to a kernel body at pipeline creation
// (src/engine/kernels/attentionFlash.ts); alone it does not compile, as the overrides it uses live in the body.
var<workgroup> red : array<vec2<f32>, RED>;  // RED = WG·TILE (1 when TPR = 1)

fn laneReduce(lid : u32, p : ptr<function, array<vec2<f32>, MAX_TILE>>, n : u32) {
  if (TPR == 1u) { return; }
  for (var j = 0u; j < n; j++) { red[lid * TILE + j] = (*p)[j]; }
  workgroupBarrier();
  let row0 = (lid / TPR) * TPR;
  for (var j = 0u; j < n; j++) {
    var s = vec2<f32>(0.0);
    for (var c = 0u; c < TPR; c++) { s += red[(row0 + c) * TILE + j]; }
    (*p)[j] = s;
  }
  workgroupBarrier();
}
