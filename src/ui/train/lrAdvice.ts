/**
 * Learning-rate advice by model size. The usual LoRA rates (1e-4 – 1e-3) come from models of 100 M parameters and
 * more; a model as small as the built-in one (0.6 M) hardly moves at them in a run of a few dozen steps, so a first
 * fine-tune with the defaults would show no change at all. Measured on studio-base with six instruction pairs (LoRA
 * r = 8 on all linear layers, all six per step, ChatML): at 1e-2 the loss falls from 6.1 to 0.9 in 50 steps and each
 * trained question gets its answer; 3e-2 diverged. Full fine-tuning wants about a third of the LoRA rate.
 * The Train page's "Try it" run (tryIt.ts) uses exactly this rate, so its form shows no advice: on its 34 phrase
 * questions (batches of 8, 80 steps, seeds 42, 1 and 2) it answers all trained questions and 19 of the 20 held-out
 * ones; 50 steps were too few (29/34 and 14/20 on a draft of the same selection).
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

/**
 * The short rate hint shown under the learning-rate field, consistent with lrAdvice: the small-model rate for models
 * it advises on, the usual range otherwise.
 */
export function lrHint(params: number, method: 'lora' | 'full'): string {
  if (params > 0 && params < SMALL_MODEL_PARAMS) return method === 'lora' ? 'LoRA on a model this small: about 1e-2' : 'Full fine-tuning of a model this small: about 3e-3';
  return method === 'lora' ? 'LoRA: 1e-4 – 1e-3' : 'Full fine-tuning: 1e-5 – 1e-4';
}
