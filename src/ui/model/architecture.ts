/**
 * Plain-language lines about a model's architecture for the model card, read from the config's features (never from
 * the family name), so a new family needs no UI change.
 */
import type { ModelConfig } from '../../engine/model/config';

/** "GQA 4 / 1 heads of 256 dims; 22 of 26 layers see the last 512 tokens" */
export function attentionSummary(c: ModelConfig): string {
  const kind = c.nKVHeads === c.nHeads ? 'multi-head' : c.nKVHeads === 1 ? 'multi-query' : 'grouped-query';
  const parts = [`${kind}, ${c.nHeads} / ${c.nKVHeads} heads of ${c.headDim} dims`];
  const sliding = c.layers.filter((l) => l.window !== null);
  if (sliding.length) {
    const widths = [...new Set(sliding.map((l) => l.window))].join(' / ');
    parts.push(sliding.length === c.nLayers ? `a ${widths}-token sliding window` : `${sliding.length} of ${c.nLayers} layers see the last ${widths} tokens`);
  }
  if (c.qkNorm !== 'none') parts.push(c.qkNorm === 'head' ? 'q/k norm per head' : 'q/k norm over the projection');
  return parts.join('; ');
}

/** "RMSNorm before and after each branch · RoPE θ 1,000,000 (local layers 10,000) · gated GELU MLP" */
export function blockSummary(c: ModelConfig): string {
  const n = c.names.norms;
  const where = n.attnIn && n.attnOut ? 'before and after each branch' : n.attnOut ? 'after each branch' : 'before each branch';
  const norm = `${c.norm === 'layernorm' ? 'LayerNorm' : c.normWeightOffset ? 'RMSNorm (1 + w)' : 'RMSNorm'} ${where}`;
  let pos: string;
  if (c.positions === 'learned') pos = 'learned positions';
  else {
    const thetas = [...new Set(c.layers.filter((l) => l.rope).map((l) => l.rope!.theta))];
    const nope = c.layers.filter((l) => !l.rope).length;
    pos = `RoPE θ ${thetas.map((t) => t.toLocaleString('en-US')).join(' / ')}`;
    if (c.ropeScaling.type !== 'none') pos += ` (${c.ropeScaling.type} scaling ×${c.ropeScaling.factor})`;
    if (c.rotaryDim < c.headDim) pos += `, ${c.rotaryDim} of ${c.headDim} dims rotated`;
    if (nope) pos += `, ${nope} layers without positions`;
  }
  const act = c.hiddenAct === 'silu' ? 'SiLU' : 'GELU';
  const mlp = c.mlp === 'gated' ? `gated ${act} MLP` : `${act} MLP`;
  const fused = [c.names.linears.qkv && 'q/k/v', c.names.linears.gateUp && 'gate/up'].filter(Boolean);
  return [norm, pos, mlp, ...(fused.length ? [`fused ${fused.join(' and ')} projections`] : [])].join(' · ');
}
