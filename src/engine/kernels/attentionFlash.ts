/**
 * Fused (FlashAttention-2 style) attention kernels: tiles of K/V (forward, dQ) or Q/dO (dK/dV) in workgroup memory,
 * each row split over TPR lanes whose partial dot products are summed with subgroup shuffles where the device has
 * the `subgroups` feature and through workgroup memory where it has not (shaders/flash_*.wgsl). The dispatches
 * here assume validated arguments: src/engine/kernels/attention.ts checks them and picks this or the row kernels.
 */
import { getShader, registerShaders } from '../gpu/shaders';
import type { Gpu } from '../gpu/device';
import { cdiv, type Param, type Recorder } from '../gpu/recorder';

/**
 * Invocations per workgroup (ROWS·TPR). Forward and dQ: 128, four NVIDIA warps, 32 rows at four lanes; each K/V
 * tile loaded serves ROWS rows, so ROWS sets the L2 traffic (at 32 the forward moves ~2x the K/V bytes of the row
 * kernel's 64-row workgroups with perfect broadcast; at 16 ~4x). dK/dV: 64, 16 key rows, because that grid has only
 * ceil(T / ROWS)·nKVHead·B workgroups (SmolLM2 at B=4, T=512: 384 at 16 rows, 192 at 32, for 132 SMs on an H200).
 */
const FLASH_WG = 128;
const FLASH_WG_DKV = 64;
/** Largest key/query tile (the shaders' MAX_TILE) and largest per-lane vec4 count (MAX_DL4). */
const MAX_TILE = 32;
const MAX_DL4 = 16;

/** How the lanes of a row sum their partial dots: register shuffles or workgroup memory. */
export type FlashLanes = 'subgroup' | 'shared';

export type FlashConstants = { ROWS: number; TPR: number; TILE: number; HD4: number; RED?: number };

export interface FlashPlan {
  shader: { forward: string; dq: string; dkv: string };
  constants: FlashConstants;
  /** The dK/dV pass's (fewer rows per workgroup; see FLASH_WG_DKV). */
  dkvConstants: FlashConstants;
  lanes: FlashLanes;
}

/** Lanes per row: 4 when head_dim is a multiple of 16, else 2 (multiple of 8), else 1. */
function lanesPerRow(HD4: number): number {
  return HD4 % 4 === 0 ? 4 : HD4 % 2 === 0 ? 2 : 1;
}

/** Kernel body + lane-reduction prelude, registered once under a composed name (the prelude's `enable` must lead). */
function composed(body: string, lanes: FlashLanes): string {
  const prelude = lanes === 'subgroup' ? 'flash_lanes_subgroup' : 'flash_lanes_shared';
  const name = `${body}+${prelude}`;
  try {
    getShader(name);
  } catch {
    registerShaders({ [name]: `${getShader(prelude)}\n${getShader(body)}` });
  }
  return name;
}

/**
 * Tile sizes for this device and head dim, or null when the fused kernels cannot hold it (head_dim / 4 / TPR over
 * MAX_DL4 vec4 per lane: head dims like 100 or 252 that are not multiples of 16 above 64; no model we load has one).
 * TILE is the largest power of two in 2..MAX_TILE whose workgroup memory (the K and V, or Q and dO, tiles, the
 * per-entry statistics and, without subgroups, the lane scratch) fits the device's limit.
 */
export function flashPlan(gpu: Gpu, headDim: number, lanes?: FlashLanes): FlashPlan | null {
  const HD4 = headDim / 4;
  const TPR = lanesPerRow(HD4);
  if (HD4 / TPR > MAX_DL4) return null;
  const use: FlashLanes = lanes ?? (gpu.hasSubgroups ? 'subgroup' : 'shared');
  if (use === 'subgroup' && !gpu.hasSubgroups) throw new Error('flash attention: the subgroup variant needs a device with the subgroups feature');
  const limit = gpu.device.limits.maxComputeWorkgroupStorageSize;
  const constantsFor = (wg: number): FlashConstants => {
    const scratch = (tile: number) => (use === 'shared' && TPR > 1 ? wg * tile * 8 : 8);
    let TILE = MAX_TILE;
    while (TILE > 2 && 2 * TILE * headDim * 4 + 3 * TILE * 4 + scratch(TILE) > limit) TILE /= 2;
    const constants: FlashConstants = { ROWS: wg / TPR, TPR, TILE, HD4 };
    if (use === 'shared') constants.RED = TPR > 1 ? wg * TILE : 1;
    return constants;
  };
  return {
    shader: {
      forward: composed('flash_forward', use),
      dq: composed('flash_backward_dq', use),
      dkv: composed('flash_backward_dkv', use),
    },
    constants: constantsFor(FLASH_WG),
    dkvConstants: constantsFor(FLASH_WG_DKV),
    lanes: use,
  };
}

/** Forward dispatch; arguments as attentionForward's, `params` its packed uniform. */
export function flashForward(rec: Recorder, plan: FlashPlan, bindings: GPUBuffer[], params: Param[], Tq: number, nHead: number, B: number): void {
  rec.dispatch({
    shader: plan.shader.forward,
    constants: plan.constants,
    params,
    bindings,
    workgroups: [cdiv(Tq, plan.constants.ROWS), nHead, B],
    label: 'attention_forward',
  });
}

/**
 * Backward dispatches after `rowdot` has put D into the head of dq: the dK/dV pass (reads D), then the dQ pass
 * (overwrites dq, recomputing each row's D itself).
 */
export function flashBackward(
  rec: Recorder, plan: FlashPlan, dq: GPUBuffer, dk: GPUBuffer, dv: GPUBuffer, dout: GPUBuffer, q: GPUBuffer, k: GPUBuffer,
  v: GPUBuffer, segments: GPUBuffer, out: GPUBuffer, lse: GPUBuffer, B: number, T: number, nHead: number, nKVHead: number,
  params: Param[],
): void {
  rec.dispatch({
    shader: plan.shader.dkv,
    constants: plan.dkvConstants,
    params,
    bindings: [dk, dv, dout, q, k, v, segments, lse, dq],
    workgroups: [cdiv(T, plan.dkvConstants.ROWS), nKVHead, B],
    label: 'attention_backward_dkv',
  });
  rec.dispatch({
    shader: plan.shader.dq,
    constants: plan.constants,
    params,
    bindings: [dq, dout, out, q, k, v, segments, lse],
    workgroups: [cdiv(T, plan.constants.ROWS), nHead, B],
    label: 'attention_backward_dq',
  });
}
