/**
 * Learning-rate advice by model size. The usual LoRA rates (1e-4 – 1e-3) come from models of 100 M parameters and
 * more; a model as small as the built-in one (0.6 M) hardly moves at them in a run of a few dozen steps, so a first
 * fine-tune with the defaults would show no change at all. Measured on studio-base with six instruction pairs (LoRA
 * r = 8 on all linear layers, all six per step, ChatML): at 1e-2 the loss falls from 6.1 to 0.9 in 50 steps and each
 * trained question gets its answer; 3e-2 diverged. Full fine-tuning wants about a third of the LoRA rate.
 */
export interface LrAdvice {
  lr: number;
  why: string;
}

/** Models under this size get the advice. */
export const SMALL_MODEL_PARAMS = 20e6;

export function lrAdvice(params: number, method: 'lora' | 'full', currentLr: number): LrAdvice | null {
  if (!(params > 0) || params >= SMALL_MODEL_PARAMS) return null;
  const lr = method === 'lora' ? 1e-2 : 3e-3;
  // Within a factor of ~3 of the advice: nothing to say.
  if (currentLr > 0 && Math.abs(Math.log10(currentLr / lr)) <= 0.5) return null;
  const what = method === 'lora' ? 'LoRA' : 'Full fine-tuning';
  if (currentLr > lr) return { lr, why: `This rate is far above what ${what} on a model this size trains stably at (about ${lr}).` };
  return { lr, why: `Small models learn slowly at the rates made for large ones; ${what} on a model this size shows a clear change in a few dozen steps at about ${lr}.` };
}
