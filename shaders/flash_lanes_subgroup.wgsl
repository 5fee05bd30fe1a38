enable subgroups;
// Lane reduction of the fused attention kernels (flash_*.wgsl) on adapters WITH the `subgroups` feature: the same
// contract as flash_lanes_shared.wgsl (each lane's first n vec2 partial sums → the row's full sums, in every lane of the
// row) with a butterfly of subgroupShuffleXor over the TPR lanes, no workgroup memory and no barrier. It needs the
// row's lanes to be consecutive invocations of one subgroup: TPR ≤ 4 (WebGPU's smallest subgroup size) and 1-D
// workgroups whose subgroups are runs of consecutive local_invocation_index — what every implementation does.
// Prepended to a kernel body at pipeline creation (src/engine/kernels/attentionFlash.ts), only on a device that
// has the feature; alone it does not compile.

fn laneReduce(lid : u32, p : ptr<function, array<vec2<f32>, MAX_TILE>>, n : u32) {
  if (TPR == 1u) { return; }
  for (var j = 0u; j < n; j++) {
    var x = (*p)[j];
    for (var m = 1u; m < TPR; m = m << 1u) { x += subgroupShuffleXor(x, m); }
    (*p)[j] = x;
  }
}
