/**
 * How a frozen weight is stored, and what that costs: the pure part of transformer/weights.ts, shared with the memory
 * plan (transformer/memory.ts), which the UI imports without any GPU code.
 */

export type WeightFormat = 'f32' | 'f16';

/** Bytes a buffer needs for `elements` values: f32 4 each; f16 2 each, rounded up to whole 4-byte words. */
export function storedBytes(elements: number, format: WeightFormat): number {
  return format === 'f16' ? Math.ceil(elements / 2) * 4 : elements * 4;
}

/**
 * Whether a logical weight is a matrix (stored in the chosen format) rather than a norm weight or a bias (always
 * f32). Matches exactly the 2-D tensors of expectedTensors for every supported family (tested).
 */
export function isMatrixWeight(name: string): boolean {
  return name.endsWith('.weight') && !/(norm|ln_\d+|ln_f)\.weight$/.test(name);
}
