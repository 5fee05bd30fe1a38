import { describe, it, expect } from 'vitest';
import { sampleToken, mulberry } from './sampling';

describe('sampleToken', () => {
  const logits = Float32Array.from([1, 3, 2, 0.5]);
  it('greedy picks the argmax', () => {
    expect(sampleToken(logits, { temperature: 0, topK: 0, topP: 1 }, mulberry(1))).toBe(1);
  });
  it('top-k 1 is greedy whatever the temperature', () => {
    const r = mulberry(2);
    for (let i = 0; i < 20; i++) expect(sampleToken(logits, { temperature: 5, topK: 1, topP: 1 }, r)).toBe(1);
  });
  it('top-p keeps only the nucleus', () => {
    // softmax([1,3,2,0.5]) ≈ [0.085, 0.63, 0.23, 0.05]: top-p 0.7 keeps tokens 1 and 2 only.
    const r = mulberry(3);
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) seen.add(sampleToken(logits, { temperature: 1, topK: 0, topP: 0.7 }, r));
    expect([...seen].sort()).toEqual([1, 2]);
  });
  it('temperature sampling follows the softmax', () => {
    const r = mulberry(4);
    const counts = [0, 0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i++) counts[sampleToken(logits, { temperature: 1, topK: 0, topP: 1 }, r)]++;
    const z = [1, 3, 2, 0.5].map(Math.exp);
    const total = z.reduce((a, b) => a + b);
    counts.forEach((c, i) => expect(Math.abs(c / n - z[i] / total)).toBeLessThan(0.015));
  });
  it('is reproducible for a seed', () => {
    const a = mulberry(9), b = mulberry(9);
    const opts = { temperature: 1, topK: 0, topP: 1 };
    expect(Array.from({ length: 30 }, () => sampleToken(logits, opts, a))).toEqual(Array.from({ length: 30 }, () => sampleToken(logits, opts, b)));
  });
});
