import { describe, expect, it } from 'vitest';
import type { Split } from '../types.ts';
import { CONTAINERS, ExportError, FORMAT_IDS, exportDataset, exportProblem, parseDataset, type ExportExample, type ParsedRow } from './index.ts';

const ex = (body: ExportExample['body'], more: Partial<ExportExample> = {}): ExportExample => ({ body, tags: [], split: 'train', notes: '', ...more });

const EXAMPLES: ExportExample[] = [
  ex({ kind: 'pair', instruction: 'Name a color.', input: '', output: 'Red.' }),
  ex({ kind: 'pair', instruction: 'Add "these", please', input: '2, 3\nand 4', output: '9', system: 'Be exact.' }, { tags: ['math', 'a,b'], split: 'validation', notes: 'checked twice' }),
  ex({ kind: 'pair', instruction: 'No system at all', input: '', output: 'ok', system: '' }, { extra: { source: 'web', score: 0.5, nested: { a: [1] }, tags: 'collides', studio: 'also collides' } }),
  ex({ kind: 'pair', instruction: 'Who wrote it?', input: 'Ada wrote it.', output: 'Ada.' }, { tags: ['closed_qa'], extra: { category: 'closed_qa' } }),
  ex({ kind: 'pair', instruction: 'Dolly row, retagged', input: '', output: 'x' }, { tags: [], extra: { category: 'brainstorm' } }),
  ex({ kind: 'chat', messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }] }, { tags: ['chat'] }),
  ex({
    kind: 'chat',
    messages: [
      { role: 'system', content: 'Sys.' },
      { role: 'user', content: 'Q1', extra: { name: 'ann' } },
      { role: 'assistant', content: 'A1', weight: 0 },
      { role: 'user', content: 'Q2' },
      { role: 'assistant', content: 'A2\r\nwith CRLF', weight: 1 },
    ],
  }),
  ex({ kind: 'chat', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'U' }, { role: 'assistant', content: 'A', weight: 0 }] }, { split: 'validation' }),
  ex({ kind: 'text', text: 'A plain document.\n\nSecond paragraph, with "quotes".' }, { tags: ['pretrain'], notes: 'n' }),
  // Reasoning traces (Turn.reasoning): written as reasoning_content, or under the key they were read from (its copy
  // in extra); pair-shaped formats carry them in the studio field.
  ex({
    kind: 'chat',
    messages: [
      { role: 'user', content: 'Q1' },
      { role: 'assistant', content: 'A1', reasoning: 'Think\nfirst.', weight: 0 },
      { role: 'user', content: 'Q2' },
      { role: 'assistant', content: 'A2', reasoning: 'Then "this".' },
    ],
  }),
  ex({ kind: 'chat', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'U' }, { role: 'assistant', content: 'A', reasoning: 'R', extra: { thinking: 'R' } }] }),
];

function comparable(e: ExportExample | ParsedRow) {
  const extra = e.extra && Object.keys(e.extra).length ? e.extra : undefined;
  return { body: e.body, tags: e.tags, split: (e.split ?? 'train') as Split, notes: e.notes ?? '', extra };
}

describe.each(FORMAT_IDS)('%s', (format) => {
  const ok = EXAMPLES.filter((e) => exportProblem(e, format) === null);

  it.each(CONTAINERS)('round-trips every example it can hold through %s', (container) => {
    expect(ok.length).toBeGreaterThan(0);
    const text = exportDataset(ok, format, container);
    const back = parseDataset(text, { format, container });
    expect(back.errors).toEqual([]);
    expect(back.rows.map(comparable)).toEqual(ok.map(comparable));
    if (format !== 'columns') {
      // …and the file is recognised as what it is
      const auto = parseDataset(text, { filename: `export.${container}` });
      expect([auto.format, auto.container]).toEqual([format, container]);
      expect(auto.rows.map(comparable)).toEqual(ok.map(comparable));
    }
  });

  it('refuses examples it cannot hold, naming them', () => {
    const bad = EXAMPLES.map((e, i) => [i, exportProblem(e, format)] as const).filter(([, p]) => p !== null);
    if (bad.length === 0) return;
    expect(() => exportDataset(EXAMPLES, format, 'jsonl')).toThrow(ExportError);
    try {
      exportDataset(EXAMPLES, format, 'jsonl');
    } catch (e) {
      expect((e as ExportError).problems.map((p) => p.index)).toEqual(bad.map(([i]) => i));
    }
  });
});

describe('export details', () => {
  it('writes standard fields where the format has them and the rest under "studio"', () => {
    const [openai] = exportDataset([EXAMPLES[6]], 'openai', 'jsonl').trim().split('\n');
    expect(JSON.parse(openai)).toEqual({
      messages: [
        { role: 'system', content: 'Sys.' },
        { role: 'user', content: 'Q1', name: 'ann' },
        { role: 'assistant', content: 'A1', weight: 0 },
        { role: 'user', content: 'Q2' },
        { role: 'assistant', content: 'A2\r\nwith CRLF', weight: 1 },
      ],
      studio: { split: 'train' },
    });
    const sharegpt = JSON.parse(exportDataset([EXAMPLES[6]], 'sharegpt', 'jsonl')) as Record<string, unknown>;
    expect((sharegpt.conversations as unknown[]).slice(0, 3)).toEqual([
      { from: 'system', value: 'Sys.' },
      { from: 'human', value: 'Q1', name: 'ann' },
      { from: 'gpt', value: 'A1', weight: 0 },
    ]);
    const dolly = JSON.parse(exportDataset([EXAMPLES[3]], 'dolly', 'jsonl')) as Record<string, unknown>;
    expect(dolly).toEqual({ instruction: 'Who wrote it?', context: 'Ada wrote it.', response: 'Ada.', category: 'closed_qa', studio: { split: 'train' } });
    const trl = JSON.parse(exportDataset([EXAMPLES[7]], 'trl-conversational', 'jsonl')) as Record<string, unknown>;
    expect(trl.prompt).toEqual([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'U' },
    ]);
    expect(trl.completion).toEqual([{ role: 'assistant', content: 'A', weight: 0 }]);
  });

  it('keeps OpenAI content parts when the text is unchanged, and plain text once edited', () => {
    const src = JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }, { role: 'assistant', content: 'c' }] });
    const row = parseDataset(src + '\n').rows[0];
    const again = JSON.parse(exportDataset([{ ...row, split: 'train', notes: '' }], 'openai', 'jsonl')) as { messages: { content: unknown }[] };
    expect(again.messages[0].content).toEqual([
      { type: 'text', text: 'a' },
      { type: 'text', text: 'b' },
    ]);
    const body = row.body as { kind: 'chat'; messages: { role: 'user' | 'assistant'; content: string; extra?: Record<string, unknown> }[] };
    body.messages[0] = { ...body.messages[0], content: 'edited' };
    const edited = JSON.parse(exportDataset([{ ...row, body, split: 'train', notes: '' }], 'openai', 'jsonl')) as { messages: { content: unknown }[] };
    expect(edited.messages[0].content).toBe('edited');
  });

  it('empty datasets export to valid empty files', () => {
    expect(exportDataset([], 'alpaca', 'json')).toBe('[]\n');
    expect(exportDataset([], 'alpaca', 'jsonl')).toBe('');
    expect(parseDataset('[]\n', { format: 'alpaca' }).rows).toEqual([]);
  });
});
