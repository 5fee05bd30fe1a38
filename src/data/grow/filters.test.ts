import { describe, expect, it } from 'vitest';
import { checkInstruction, checkResponse, countReason, NoveltyIndex, ResponseIndex, totalFiltered } from './filters';
import { degenerateReason } from './text';
import { checkEvolution, checkEvolved, evolMessages, parseEvolved } from './evol';

describe('instruction filters', () => {
  it('bounds the length in words', () => {
    expect(checkInstruction('')).toBe('empty');
    expect(checkInstruction('Explain it')).toBe('too-short'); // 2 words < 3
    expect(checkInstruction('Explain photosynthesis simply')).toBeNull();
    expect(checkInstruction(Array.from({ length: 151 }, (_, i) => `w${i}`).join(' '))).toBe('too-long');
    expect(checkInstruction(Array.from({ length: 150 }, (_, i) => `w${i}`).join(' '))).toBeNull();
  });
  it('drops tasks a text model cannot do, matching whole words only', () => {
    expect(checkInstruction('Draw a picture of a cat')).toBe('not-text');
    expect(checkInstruction('Summarise the attached PDF file')).toBe('not-text');
    expect(checkInstruction('Go to the website and list the prices')).toBe('not-text');
    expect(checkInstruction('Describe your ideal profile for a mentor')).toBeNull(); // "profile" is not "file"
    expect(checkInstruction('Explain what a mapping function does')).toBeNull(); // "mapping" is not "map"
  });
  it('drops degenerate text', () => {
    expect(checkInstruction('the the the the cat sat down')).toBe('degenerate');
    expect(checkInstruction('...and then what happened next')).toBe('degenerate'); // starts with punctuation
    expect(checkInstruction('"Quoted" instructions are fine to keep')).toBeNull();
    expect(degenerateReason('Wow!!!!!!!!!! that is great')).toMatch(/character/);
    expect(degenerateReason('----------')).toBeNull(); // a rule, not a stuck model
    expect(degenerateReason('I like it and I like it and I like it and I like it and I like it')).toMatch(/phrase/);
    expect(degenerateReason('Name three rivers in Europe and say which is longest.')).toBeNull();
  });
  it('checks responses', () => {
    expect(checkResponse('Name a colour', '   ')).toBe('empty-response');
    expect(checkResponse('Name a colour', '...')).toBe('empty-response'); // no words at all
    expect(checkResponse('Name a colour', 'Blue')).toBeNull();
    expect(checkResponse('Name a colour', 'name  a COLOUR')).toBe('copies-instruction');
    expect(checkResponse('Name a colour', "I'm sorry, I can't do that.")).toBe('refusal');
    expect(checkResponse('Name a colour', 'red red red red red')).toBe('degenerate-response');
  });
  it('drops a response seen earlier in the run, unless it is a short label', () => {
    const r = new ResponseIndex();
    expect(r.check('Paris is the capital of France.')).toBeNull();
    expect(r.check('paris is the capital  of France.')).toBe('duplicate-response');
    expect(r.check('Positive')).toBeNull();
    expect(r.check('Positive')).toBeNull();
  });
  it('counts reasons', () => {
    let c = countReason({}, 'too-short');
    c = countReason(c, 'too-short');
    c = countReason(c, 'near-duplicate');
    expect(c).toEqual({ 'too-short': 2, 'near-duplicate': 1 });
    expect(totalFiltered(c)).toBe(3);
  });
});

describe('near-duplicates by ROUGE-L', () => {
  const idx = new NoveltyIndex(['Write a short poem about the sea.', 'List three uses of copper.']);
  it('flags exact duplicates after case and space folding', () => {
    expect(idx.check('write a  SHORT poem about the sea.')).toMatchObject({ reason: 'duplicate', score: 1 });
  });
  it('flags ROUGE-L F ≥ 0.7 and keeps what is below', () => {
    // Tokens (articles dropped): write short poem about sea | write short poem about ocean → LCS 4 of 5 and 5: F = 0.8.
    expect(idx.check('Write a short poem about the ocean.')).toMatchObject({ reason: 'near-duplicate', similarTo: 'Write a short poem about the sea.' });
    expect(idx.check('Write a short poem about the ocean.')!.score).toBeCloseTo(0.8, 10);
    // write long story about sea → LCS (write, about, sea) = 3 of 5 and 5: F = 0.6 < 0.7.
    expect(idx.check('Write a long story about the sea.')).toBeNull();
  });
  it('grows as instructions are accepted', () => {
    const i2 = new NoveltyIndex([]);
    expect(i2.check('Explain how tides work')).toBeNull();
    i2.add('Explain how tides work');
    expect(i2.check('Explain how tides work!')?.reason).toBe('near-duplicate'); // same tokens, different punctuation
    expect(i2.size).toBe(1);
  });
  it('honours another threshold', () => {
    expect(new NoveltyIndex(['Write a short poem about the sea.'], 0.9).check('Write a short poem about the ocean.')).toBeNull();
  });
});

describe('Evol-Instruct', () => {
  it('builds a prompt that carries the instruction', () => {
    const m = evolMessages('constraints', 'Explain recursion.');
    expect(m).toHaveLength(1);
    expect(m[0].role).toBe('user');
    expect(m[0].content).toContain('Explain recursion.');
    expect(evolMessages('breadth', 'x')[0].content).not.toBe(m[0].content);
  });
  it('parses the rewritten task', () => {
    expect(parseEvolved('Rewritten task: "Explain recursion to a child in 3 sentences."')).toBe('Explain recursion to a child in 3 sentences.');
    expect(parseEvolved('  Explain recursion with an example.  ')).toBe('Explain recursion with an example.');
  });
  it('eliminates no change, copied prompt words, and empty or short responses', () => {
    expect(checkEvolved('Explain recursion.', ' explain  RECURSION. ')).toBe('no-change');
    expect(checkEvolved('Explain recursion.', 'Given task: Explain recursion in depth.')).toBe('copied-prompt');
    expect(checkEvolved('Explain recursion.', '')).toBe('empty');
    expect(checkEvolution('Explain recursion.', 'Explain recursion with an example in Python.', '')).toBe('empty-response');
    expect(checkEvolution('Explain recursion.', 'Explain recursion with an example in Python.', 'It recurses.')).toBe('short-response');
    expect(checkEvolution('Explain recursion.', 'Explain recursion with an example in Python.', 'A function that calls itself, e.g. factorial.')).toBeNull();
  });
});
