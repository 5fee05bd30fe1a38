/**
 * Workgroup counts for 1D problems larger than maxComputeWorkgroupsPerDimension (65535): spill into y.
 * Shaders recover the flat index as gid.x + gid.y * num_workgroups.x * WG.
 */
export function grid1d(n: number, wg: number): [number, number] {
  const groups = Math.max(1, Math.ceil(n / wg));
  if (groups <= 65535) return [groups, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y];
}
