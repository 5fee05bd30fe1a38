import { describe, expect, it } from 'vitest';
import { tinyModel } from '../../engine/model/tiny';
import { getPreset } from '../../data/templates';
import type { Dataset } from '../../data/types';
import { DEFAULT_FORM, comparisonMode, filterByTags, formProblems, pickDataset, recommendedMode, targetModules, toRunConfig } from './runConfig';

const llama = tinyModel('llama', 1).config;
const gpt2 = tinyModel('gpt2', 1).config;

describe('train form → RunConfig', () => {
  it('recommends assistant-only for chats, completion-only for pairs, full for plain text', () => {
    expect(recommendedMode(new Set(['chat', 'pair']))).toBe('assistant-only');
    expect(recommendedMode(new Set(['pair']))).toBe('completion-only');
    expect(recommendedMode(new Set(['text']))).toBe('full');
    expect(comparisonMode('completion-only', new Set(['pair']))).toBe('full');
    expect(comparisonMode('full', new Set(['chat']))).toBe('assistant-only');
  });

  it('maps the attention preset per architecture, and custom lists', () => {
    expect(targetModules({ targets: 'attention', customTargets: '' }, llama)).toEqual(['q_proj', 'k_proj', 'v_proj', 'o_proj']);
    expect(targetModules({ targets: 'attention', customTargets: '' }, gpt2)).toEqual(['c_attn', 'attn.c_proj']);
    expect(targetModules({ targets: 'all-linear', customTargets: '' }, llama)).toBe('all-linear');
    expect(targetModules({ targets: 'custom', customTargets: ' q_proj,v_proj  up_proj ' }, llama)).toEqual(['q_proj', 'v_proj', 'up_proj']);
  });

  it('builds the label config, LoRA or full mode, and passes the optimizer settings through', () => {
    const form = { ...DEFAULT_FORM, datasetId: 'd', template: 'alpaca' as const, maxLength: 64, lr: 1e-3, method: 'lora' as const, rslora: true };
    const cfg = toRunConfig(form, 'completion-only', llama, 'Be brief.');
    expect(cfg.label).toEqual({ mode: 'completion-only', trainEos: true, template: getPreset('alpaca')!.template, systemPrompt: 'Be brief.', maxLength: 64, overlong: 'truncate' });
    expect(toRunConfig({ ...form, overlong: 'skip' }, 'completion-only', llama, '').label.overlong).toBe('skip');
    expect(cfg.lora).toMatchObject({ r: 8, alpha: 16, useRslora: true, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj'] });
    expect(cfg.lr).toBe(1e-3);
    expect(toRunConfig({ ...form, method: 'full', template: 'model' }, 'full', llama, '').lora).toBeNull();
    expect(toRunConfig({ ...form, template: 'model' }, 'full', llama, '').label.template).toBeUndefined();
  });

  it('names every problem with its field', () => {
    expect(formProblems({ ...DEFAULT_FORM, datasetId: 'd', maxLength: 64 }, llama, true)).toEqual([]);
    const bad = formProblems({ ...DEFAULT_FORM, datasetId: null, lr: 0, batchSize: 1.5, maxLength: 100, targets: 'custom', customTargets: '' }, llama, false);
    expect(bad.map((p) => p.field).sort()).toEqual(['batchSize', 'customTargets', 'datasetId', 'lr', 'maxLength', 'template']);
    expect(bad.find((p) => p.field === 'maxLength')!.message).toContain(`at most ${llama.maxTrainLength}`);
  });

  it('preselects the chosen dataset while it exists, else the only one, else the last edited', () => {
    const ds = (id: string, createdAt: number, updatedAt: number): Dataset => ({ id, name: id, description: '', systemPrompt: '', createdAt, updatedAt });
    const a = ds('a', 1, 50), b = ds('b', 2, 90), c = ds('c', 3, 20);
    expect(pickDataset([], null)).toBeNull();
    expect(pickDataset([], 'gone')).toBeNull();
    expect(pickDataset([c], null)).toBe('c');
    expect(pickDataset([a, b, c], null)).toBe('b');
    expect(pickDataset([a, b, c], 'c')).toBe('c');
    expect(pickDataset([a, b, c], 'deleted')).toBe('b');
    // Same updatedAt (created together, e.g. starters): the one open in the Dataset section, else the newest.
    const s1 = ds('s1', 5, 100), s2 = ds('s2', 6, 100), s3 = ds('s3', 7, 100);
    expect(pickDataset([s1, s2, s3], null)).toBe('s3');
    expect(pickDataset([s1, s2, s3], null, 's1')).toBe('s1');
    expect(pickDataset([s3, s1, s2], null, 's2')).toBe('s2');
  });
});

describe('train on tags (the zero-shot exercise)', () => {
  const rows = [
    { id: 'a', tags: ['math'], split: 'train' },
    { id: 'b', tags: ['geo', 'easy'], split: 'train' },
    { id: 'c', tags: [], split: 'train' },
    { id: 'd', tags: ['geo'], split: 'validation' },
    { id: 'e', tags: ['math'], split: 'validation' },
  ];
  it('keeps every example when no tag is chosen', () => {
    expect(filterByTags(rows, undefined)).toBe(rows);
    expect(filterByTags(rows, [])).toBe(rows);
  });
  it('keeps training examples with a chosen tag and every validation example', () => {
    expect(filterByTags(rows, ['math']).map((r) => r.id)).toEqual(['a', 'd', 'e']);
    expect(filterByTags(rows, ['easy', 'math']).map((r) => r.id)).toEqual(['a', 'b', 'd', 'e']);
    expect(filterByTags(rows, ['nothing']).map((r) => r.id)).toEqual(['d', 'e']);
  });
});
