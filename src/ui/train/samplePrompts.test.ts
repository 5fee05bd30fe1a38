import { describe, expect, it } from 'vitest';
import type { ExampleBody, Split } from '../../data/types';
import { autoSampleEvery, chooseSamplePrompts, promptLabel, resolveSampleEvery } from './samplePrompts';

const pair = (instruction: string, split?: Split): { body: ExampleBody; split?: Split } => ({ body: { kind: 'pair', instruction, input: '', output: 'x' }, split });

describe('validation sample prompts', () => {
  it('sample by default only for small models; 0 turns it off; a number is used as is', () => {
    expect(autoSampleEvery(600_000)).toBe(10);
    expect(autoSampleEvery(1.2e9)).toBe(0);
    expect(resolveSampleEvery({}, 600_000)).toBe(10);
    expect(resolveSampleEvery({ sampleEvery: null }, 1e9)).toBe(0);
    expect(resolveSampleEvery({ sampleEvery: 0 }, 600_000)).toBe(0);
    expect(resolveSampleEvery({ sampleEvery: 4 }, 1e9)).toBe(4);
    expect(resolveSampleEvery({ sampleEvery: -3 }, 1e3)).toBe(0);
  });

  it('take the first 3 validation examples, else the first 2 training ones', () => {
    const rows = [pair('a'), pair('b', 'validation'), pair('c'), pair('d', 'validation'), pair('e', 'validation'), pair('f', 'validation')];
    const c = chooseSamplePrompts(rows, '');
    expect(c.source).toBe('validation');
    expect(c.labels).toEqual(['b', 'd', 'e']);
    expect(c.prompts[0]).toEqual({ kind: 'example', body: rows[1].body });
    expect(chooseSamplePrompts([pair('a'), pair('b'), pair('c')], '  ')).toMatchObject({ source: 'train', labels: ['a', 'b'] });
  });

  it('user lines become chat prompts for chat/pair data (template, system) and text prompts for text data', () => {
    const c = chooseSamplePrompts([pair('a')], 'Hi?\n\n  Bye? ', { template: 'chatml', system: 'Be brief.' });
    expect(c.labels).toEqual(['Hi?', 'Bye?']);
    expect(c.prompts[0]).toEqual({ kind: 'chat', template: 'chatml', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi?' }] });
    const t = chooseSamplePrompts([{ body: { kind: 'text', text: 'Once upon' } }], 'The cat');
    expect(t.prompts).toEqual([{ kind: 'text', text: 'The cat' }]);
  });

  it('labels a chat by the user turn before its last reply, and shortens long text', () => {
    expect(promptLabel({ kind: 'chat', messages: [{ role: 'user', content: 'Q1' }, { role: 'assistant', content: 'A1' }, { role: 'user', content: 'Q2\nmore' }, { role: 'assistant', content: 'A2' }] })).toBe('Q2 more');
    expect(promptLabel({ kind: 'text', text: 'x'.repeat(200) }, 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
