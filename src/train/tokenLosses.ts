/**
 * Per-token losses of one labelled example under the base model or an adapter: one forward pass (no gradients, no
 * dropout) through the same GpuTransformer and cross-entropy kernel training uses, then the N per-position losses
 * the kernel wrote (position t scores labels[t + 1]; 0 where that label is −100). With the logits small enough to read
 * back, also each position's most likely next token.
 */
import type { Gpu } from '../engine/gpu/device';
import type { ModelConfig } from '../engine/model/config';
import type { LoraTarget } from '../engine/model/lora';
import { Recorder } from '../engine/gpu/recorder';
import { readF32 } from '../engine/gpu/buffers';
import { GpuTransformer } from '../engine/transformer/model';

/** Logit floats read back for the predicted tokens at most (else only the losses come back). */
const MAX_LOGIT_FLOATS = 16 * 1024 * 1024;

export interface TokenLosses {
  /** N per-position cross-entropies in nats: losses[t] is the loss of predicting token t + 1 (0 = not scored). */
  losses: Float32Array;
  /** N argmax next-token ids (predicted[t] is the guess for token t + 1), or null when the logits are too big to read. */
  predicted: Int32Array | null;
}

export async function exampleTokenLosses(
  gpu: Gpu,
  cfg: ModelConfig,
  weights: ReadonlyMap<string, GPUBuffer>,
  lora: { targets: LoraTarget[]; values: Map<string, Float32Array> } | null,
  inputIds: ArrayLike<number>,
  labels: ArrayLike<number>,
): Promise<TokenLosses> {
  const T = inputIds.length;
  if (T < 2) throw new Error('The example needs at least two tokens to have a loss.');
  if (labels.length !== T) throw new Error(`${T} ids but ${labels.length} labels`);
  const V = cfg.vocabSize;
  const readAll = T * V <= MAX_LOGIT_FLOATS;
  const net = new GpuTransformer(gpu, cfg, weights, {
    B: 1, T, lora: lora ? { ...lora, dropout: 0 } : null, ...(readAll ? { logitsRows: T } : {}),
  });
  const rec = new Recorder(gpu);
  try {
    net.setBatch({ inputIds: Int32Array.from(inputIds), labels: Int32Array.from(labels) }, 1, T);
    net.forward(rec, { backward: false, lossScale: 1 });
    rec.submit();
    // The per-position losses the cross-entropy kernel writes (GpuTransformer keeps the buffer private: read it here).
    const losses = await readF32(gpu.device, net.losses, 0, T);
    let predicted: Int32Array | null = null;
    if (readAll && net.logitsRows >= T) {
      const logits = await net.readLogits();
      predicted = new Int32Array(T);
      for (let t = 0; t < T; t++) {
        let best = 0, bestV = -Infinity;
        const row = t * V;
        for (let v = 0; v < V; v++) {
          if (logits[row + v] > bestV) {
            bestV = logits[row + v];
            best = v;
          }
        }
        predicted[t] = best;
      }
    }
    return { losses, predicted };
  } finally {
    rec.destroy();
    net.release();
  }
}
