import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../db/split';
import { parseInstructions, responseMessages, sampleSeedTasks, selfInstructMessages } from './selfInstruct';

describe('parseInstructions', () => {
  it('reads numbered lists in several styles and joins wrapped lines', () => {
    const reply = '9. Name three planets.\n10) Write a haiku about rain\n   in the city.\n\nTask 11: Explain "inflation" simply.\n#12 Give two synonyms for happy.';
    expect(parseInstructions(reply)).toEqual(['Name three planets.', 'Write a haiku about rain in the city.', 'Explain "inflation" simply.', 'Give two synonyms for happy.']);
  });
  it('reads bullets, strips labels and wrapping quotes, drops empty items', () => {
    expect(parseInstructions('- Instruction: "List two fruits."\n* \n• Describe a storm.')).toEqual(['List two fruits.', 'Describe a storm.']);
  });
  it('takes the first line when there is no list', () => {
    expect(parseInstructions('\n  Tell me a joke about cats.\nMore text')).toEqual(['Tell me a joke about cats.']);
    expect(parseInstructions('   \n ')).toEqual([]);
  });
  it('handles CRLF', () => {
    expect(parseInstructions('1. A b c\r\n2. D e f\r\n')).toEqual(['A b c', 'D e f']);
  });
});

describe('sampling and prompts', () => {
  const dataset = Array.from({ length: 10 }, (_, i) => ({ instruction: `d${i}` }));
  const generated = Array.from({ length: 5 }, (_, i) => ({ instruction: `g${i}` }));
  it('takes at most 2 generated tasks and fills the rest from the dataset, reproducibly', () => {
    const a = sampleSeedTasks(dataset, generated, 6, seededRandom(1));
    expect(a).toHaveLength(6);
    expect(a.filter((t) => t.instruction.startsWith('g'))).toHaveLength(2);
    expect(new Set(a.map((t) => t.instruction)).size).toBe(6);
    expect(sampleSeedTasks(dataset, generated, 6, seededRandom(1))).toEqual(a);
  });
  it('fills from generated tasks when the dataset is short', () => {
    const a = sampleSeedTasks(dataset.slice(0, 2), generated, 6, seededRandom(3));
    expect(a).toHaveLength(6);
    expect(a.filter((t) => t.instruction.startsWith('d'))).toHaveLength(2);
  });
  it('numbers the examples and asks to continue the list', () => {
    const [m] = selfInstructMessages([{ instruction: 'Add 2 and 2.' }, { instruction: 'Translate', input: 'bonjour\nmonde' }], 4);
    expect(m.content).toContain('1. Add 2 and 2.\n2. Translate Input: bonjour monde');
    expect(m.content).toContain('Write 4 new tasks');
    expect(m.content).toContain('continuing from 3');
    expect(responseMessages('Do X', 'data')).toEqual([{ role: 'user', content: 'Do X\n\ndata' }]);
  });
});
