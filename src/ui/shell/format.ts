/** Formatting for the Device page and the header chip. */
import type { AdapterSummary } from '../../engine/gpu/device';

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 268435456 → "256 MiB", 4294967292 → "4 GiB" (binary units; at most two decimals, trailing zeros dropped). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} bytes`;
  const rounded = value >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
  return `${rounded.toLocaleString('en-US')} ${UNITS[unit]}`;
}

/** 65535 → "65,535". */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : '—';
}

export interface LimitInfo {
  name: string;
  label: string;
  kind: 'bytes' | 'count';
  /** What this limit means for fine-tuning in the studio. */
  meaning: string;
}

/** The limits we show, in the order we show them. */
export const LIMITS: readonly LimitInfo[] = [
  {
    name: 'maxBufferSize',
    label: 'Largest buffer',
    kind: 'bytes',
    meaning: 'Caps the biggest single tensor, usually the embedding table.',
  },
  {
    name: 'maxStorageBufferBindingSize',
    label: 'Largest storage binding',
    kind: 'bytes',
    meaning: 'How much of one buffer a kernel can see at once; bounds model and batch size.',
  },
  {
    name: 'maxStorageBuffersPerShaderStage',
    label: 'Storage buffers per kernel',
    kind: 'count',
    meaning: 'Inputs plus outputs one kernel may bind.',
  },
  {
    name: 'maxComputeWorkgroupStorageSize',
    label: 'Workgroup shared memory',
    kind: 'bytes',
    meaning: 'Fast on-chip memory for matmul tiles.',
  },
  {
    name: 'maxComputeInvocationsPerWorkgroup',
    label: 'Threads per workgroup',
    kind: 'count',
    meaning: 'Upper bound on a kernel’s workgroup size.',
  },
  {
    name: 'maxComputeWorkgroupSizeX',
    label: 'Workgroup size X',
    kind: 'count',
    meaning: 'Largest workgroup along x.',
  },
  {
    name: 'maxComputeWorkgroupSizeY',
    label: 'Workgroup size Y',
    kind: 'count',
    meaning: 'Largest workgroup along y.',
  },
  {
    name: 'maxComputeWorkgroupsPerDimension',
    label: 'Workgroups per dimension',
    kind: 'count',
    meaning: 'Larger launches are folded into a 2-D grid.',
  },
  {
    name: 'maxUniformBufferBindingSize',
    label: 'Uniform binding',
    kind: 'bytes',
    meaning: 'Per-call parameters (shapes, scalars).',
  },
];

export function formatLimit(info: LimitInfo, value: number | undefined): string {
  if (value === undefined) return '—';
  return info.kind === 'bytes' ? formatBytes(value) : formatCount(value);
}

const VENDORS: Record<string, string> = {
  nvidia: 'NVIDIA',
  amd: 'AMD',
  intel: 'Intel',
  apple: 'Apple',
  google: 'Google',
  qualcomm: 'Qualcomm',
  arm: 'Arm',
  microsoft: 'Microsoft',
  mesa: 'Mesa',
};
const ARCHITECTURES: Record<string, string> = { swiftshader: 'SwiftShader', llvmpipe: 'llvmpipe' };

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A short human name for an adapter: its description, else e.g. "Google SwiftShader" from vendor + architecture. */
export function adapterName(a: AdapterSummary): string {
  if (a.description.trim()) return a.description.trim();
  const vendor = VENDORS[a.vendor.toLowerCase()] ?? capitalize(a.vendor.trim());
  const arch = ARCHITECTURES[a.architecture.toLowerCase()] ?? capitalize(a.architecture.trim());
  return `${vendor} ${arch}`.trim() || 'Unknown GPU';
}
