import { describe, expect, it } from 'vitest';
import { lrAdvice } from './lrAdvice';

describe('lrAdvice', () => {
  it('advises a higher rate for a small model at a large-model rate, by method', () => {
    expect(lrAdvice(625_280, 'lora', 2e-4)?.lr).toBe(1e-2);
    expect(lrAdvice(625_280, 'full', 2e-4)?.lr).toBe(3e-3);
    expect(lrAdvice(625_280, 'lora', 2e-4)?.why).toContain('LoRA');
  });

  it('says nothing near the advised rate, for large models, or without a model', () => {
    expect(lrAdvice(625_280, 'lora', 5e-3)).toBeNull();
    expect(lrAdvice(625_280, 'lora', 2e-2)).toBeNull();
    expect(lrAdvice(134_515_008, 'lora', 2e-4)).toBeNull();
    expect(lrAdvice(0, 'lora', 2e-4)).toBeNull();
  });

  it('also flags a rate far above the advice', () => {
    expect(lrAdvice(625_280, 'lora', 0.5)?.lr).toBe(1e-2);
    expect(lrAdvice(625_280, 'lora', 0.5)?.why).toContain('far above');
  });
});
