/**
 * The whole pretraining pipeline on a tiny config (GPU tier, SwiftShader): corpus → BPE → a few full-parameter steps
 * that lower the loss → checkpoint → resume → export, and the exported directory loads back through the studio's own
 * config parser, safetensors loader and tokenizer.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testGpu } from '../testing/gpu';
import { parseModelConfig } from '../engine/model/config';
import { expectedTensors } from '../engine/model/tensors';
import { parseSafetensorsHeader } from '../engine/io/safetensors';
import { loadModelWeights } from '../engine/loadModel';
import { readF32 } from '../engine/gpu/buffers';
import { openModelDir } from '../node/modelDir';
import { loadTokenizer } from '../text/tokenizer';
import { readBrownCorpus } from './brown';
import { DEFAULTS, pretrain, type PretrainOptions } from './run';

const root = mkdtempSync(join(tmpdir(), 'pretrain-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const docs = readBrownCorpus().filter((_, i) => i % 60 === 0);
const texts = () => ({ train: docs.slice(1).map((d) => d.text.slice(0, 2500)), heldOut: [docs[0].text.slice(0, 800)], name: 'Brown excerpt' });

async function run(extra: Partial<PretrainOptions>) {
  return pretrain({
    ...DEFAULTS,
    out: join(root, 'model'), workDir: join(root, 'work'), preset: 'test',
    presetOverride: { rows: 4, context: 24, lr: 2e-2 },
    vocabSize: 320, minutes: null, steps: 6, resume: false, fresh: false, exportOnly: false,
    warmupSteps: 0, evalWindows: 4, finalEvalWindows: 8, maxNewTokens: 3,
    samples: [{ prompt: 'The jury', temperature: 0, topK: 0, seed: 0 }],
    texts, gpu: await testGpu(), log: () => {}, command: 'test',
    ...extra,
  });
}

describe('pretrain pipeline', () => {
  // ~9 s on an idle 2-core machine; the generous timeout is for a loaded one (SwiftShader shares the CPU).
  it('trains, lowers the loss, resumes, and exports a model the studio loads', { timeout: 300_000 }, async () => {
    const first = await run({});
    expect(first.losses).toHaveLength(6);
    expect(first.losses.every(Number.isFinite)).toBe(true);
    const lnV = Math.log(320);
    expect(first.losses[0]).toBeGreaterThan(lnV - 0.3); // starts near uniform
    expect(Math.min(...first.losses.slice(-2))).toBeLessThan(first.losses[0] - 0.3);
    const evals = first.state.evals;
    expect(evals[evals.length - 1].loss).toBeLessThan(evals[0].loss - 0.3);
    expect(first.finalLoss!).toBeLessThan(lnV - 0.3);

    // Same command without --resume refuses to clobber the checkpoint; with it, training continues at step 6.
    await expect(run({ steps: 7 })).rejects.toThrow(/--resume/);
    const resumed = await run({ steps: 7, resume: true });
    expect(resumed.state.step).toBe(7);
    expect(resumed.state.dataPos).toBe(7);
    expect(resumed.losses).toHaveLength(1);

    const dir = join(root, 'model');
    const configJson = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    const config = parseModelConfig(configJson);
    expect(config.vocabSize).toBe(320);
    expect(config.tieEmbeddings).toBe(true);
    expect(config.eosTokenIds).toEqual([0]);
    expect(JSON.parse(readFileSync(join(dir, 'generation_config.json'), 'utf8')).eos_token_id).toEqual([0, 2]);
    const file = new Uint8Array(readFileSync(join(dir, 'model.safetensors')));
    const header = parseSafetensorsHeader(file, { fileName: 'model.safetensors', fileSize: file.byteLength });
    const want = expectedTensors(config);
    expect(header.tensors.map((t) => t.name).sort()).toEqual(want.map((t) => t.name).sort());
    for (const t of header.tensors) expect(t.shape).toEqual(want.find((w) => w.name === t.name)!.shape);

    // The product's loader reads it; the norms were trained away from their init of 1.
    const gpu = await testGpu();
    const model = await openModelDir(dir);
    const { weights } = await loadModelWeights(gpu, model.config, { source: model.source });
    const norm = await readF32(gpu.device, weights.get('model.norm.weight')!);
    expect(norm.some((x) => Math.abs(x - 1) > 1e-3)).toBe(true);

    const tok = await loadTokenizer({
      tokenizerJson: JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')),
      tokenizerConfig: JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')),
    });
    const text = 'The jury said, "Yes."\n\nIt rained.';
    expect(tok.decode(tok.encode(text))).toBe(text);
    expect(tok.chatTemplate).toContain('<|im_start|>');

    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain(`Final held-out loss: **${resumed.finalLoss!.toFixed(3)}**`);
    expect(readme).toContain(`ln(320)`);
    expect(readme).toContain('The jury');
    expect(readme).toMatch(/Of the \d+ words \(two letters or more\) in these continuations, \d+% occur in the\ntraining documents \(\d+ distinct words\)/);

    // --export-only re-exports the same weights without training.
    const again = await run({ exportOnly: true, steps: null });
    expect(again.losses).toHaveLength(0);
    expect(again.state.step).toBe(7);
    expect(again.finalLoss).toBeCloseTo(resumed.finalLoss!, 5);
  });

  it('continues pretraining from the exported model on a mix of the text and dialogue documents', { timeout: 300_000 }, async () => {
    const from = join(root, 'model'), out = join(root, 'continued');
    const cont = await run({ initFrom: from, dialogue: 0.5, workDir: join(root, 'work-continued'), out, steps: 4, presetOverride: { rows: 4, context: 24, lr: 5e-3 } });
    expect(cont.losses).toHaveLength(4);
    expect(cont.losses.every(Number.isFinite)).toBe(true);
    // It started from the trained weights, not a fresh init: the starting model already beats a uniform guess.
    expect(cont.state.startEval!.loss).toBeLessThan(Math.log(320) - 0.3);
    expect(cont.state.initFrom).toBe(from);
    // Same tokenizer, byte for byte.
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) expect(readFileSync(join(out, f), 'utf8')).toBe(readFileSync(join(from, f), 'utf8'));
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    expect(readme).toContain('**Dialogue documents:** 50% of the training rows');
    expect(readme).toContain(`| the starting model (\`${from}\`) | ${cont.state.startEval!.loss.toFixed(3)} |`);
    // A resume must use the same mix.
    await expect(run({ initFrom: from, dialogue: 0.3, workDir: join(root, 'work-continued'), out, steps: 5, resume: true })).rejects.toThrow(/--dialogue 0.5/);
    // A model of another shape is refused with the differing fields named.
    await expect(run({ initFrom: from, workDir: join(root, 'work-other'), out, presetOverride: { rows: 4, context: 24, hidden: 64 } })).rejects.toThrow(/hidden_size: 32 vs 64/);
  });
});
