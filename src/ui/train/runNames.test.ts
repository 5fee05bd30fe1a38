import { describe, expect, it } from 'vitest';
import { readmeWithName, runOptionLabel, uniqueName } from './runNames';
import { slug } from '../export/download';

describe('run names', () => {
  it('keeps a free name and numbers a taken one', () => {
    expect(uniqueName('Capitals · Assistant turns', [])).toBe('Capitals · Assistant turns');
    expect(uniqueName('Capitals · Assistant turns', ['Capitals · Assistant turns'])).toBe('Capitals · Assistant turns (2)');
    expect(uniqueName('a', ['a', 'A (2)'])).toBe('a (3)');
  });
  it('never gives two runs the same file name', () => {
    const taken = ['pairs · Completion only'];
    const n = uniqueName('pairs - completion only', taken);
    expect(slug(n)).not.toBe(slug(taken[0]));
  });
  it('keeps the number of a long name inside the file name', () => {
    const long = 'A very long dataset name that goes on and on · Completion only · Dec 4, 21:30';
    const second = uniqueName(long, [long]);
    expect(slug(second)).not.toBe(slug(long));
    const third = uniqueName(long, [long, second]);
    expect(new Set([slug(long), slug(second), slug(third)]).size).toBe(3);
  });
  it('puts the name under the README title and replaces it on rename', () => {
    const once = readmeWithName('# LoRA adapter for x\n\nbody', 'First');
    expect(once).toBe('# LoRA adapter for x\n\nRun: **First**\n\nbody');
    expect(readmeWithName(once, 'Second')).toContain('Run: **Second**');
    expect(readmeWithName(once, 'Second')).not.toContain('First');
  });
  it('labels options with steps and date', () => {
    expect(runOptionLabel({ name: 'n', status: 'finished', createdAt: 0, doneSteps: 12 })).toMatch(/^n — 12 steps, /);
  });
});
