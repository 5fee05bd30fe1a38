/**
 * `labels` on the inputs users really pass: a mistyped flag is an error, not ignored; --out is checked before any work
 * and a directory there is one clear line (it was an unhandled stream error with a stack trace); a directory as
 * --data, a header-only CSV, a semicolon CSV and a UTF-16 file each do the right thing; a runaway chat template stops
 * the command once, naming tokenizer_config.json; and special-token strings typed in message text are warned about
 * (kept as control tokens) or escaped, as chosen.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../testing/cli';
import { FIXTURE_EOS } from '../../testing/modelFiles';
import { fixtureModelDir } from '../../text/__fixtures__/fixtures';

const tmp = mkdtempSync(join(tmpdir(), 'labels-inputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const MODEL = fixtureModelDir('byte-bpe');
const file = (name: string, content: string | Uint8Array) => {
  writeFileSync(join(tmp, name), content);
  return join(tmp, name);
};
const PAIRS = file('pairs.jsonl', ['Say hi|Hi!', '2+2?|4'].map((l) => JSON.stringify({ instruction: l.split('|')[0], output: l.split('|')[1] })).join('\n') + '\n');
const labels = (...args: string[]) => runCli(['labels', '--model', MODEL, '--mode', 'assistant-only', '--show', '0', ...args]);

/** Exactly one error line, no stack trace. */
function oneError(r: { code: number | null; stderr: string }, expected: string | RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
  expect(errors, r.stderr).toHaveLength(1);
  if (typeof expected === 'string') expect(errors[0]).toBe(expected);
  else expect(errors[0]).toMatch(expected);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('labels: inputs and outputs', () => {
  it('refuses unknown flags, a directory as --data, and a directory as --out (before any work)', async () => {
    oneError(await labels('--data', PAIRS, '--max-lenght', '8'), 'error: unknown option --max-lenght; see: npm run cli -- labels --help');
    oneError(await labels('--data', tmp), `error: --data ${tmp} is a directory; give a dataset file (.jsonl, .json or .csv)`);
    const dir = join(tmp, 'outdir');
    mkdirSync(dir);
    oneError(await labels('--data', PAIRS, '--out', dir), `error: --out ${dir} is a directory; give a file name (e.g. ${join(dir, 'labels.jsonl')})`);
    oneError(await labels('--data', PAIRS, '--out', join(tmp, 'missing', 'x.jsonl')), `error: --out ${join(tmp, 'missing', 'x.jsonl')}: the directory ${join(tmp, 'missing')} does not exist`);
    const ok = await labels('--data', PAIRS, '--out', join(dir, 'labels.jsonl'));
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(dir, 'labels.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  }, 120_000);

  it('a header-only CSV says so; semicolon and UTF-16 CSV files are read', async () => {
    const header = file('header.csv', 'instruction,output\n');
    const r = await labels('--data', header);
    oneError(r, `error: ${header} has a header line but no data rows`);
    expect(r.stderr).not.toContain('see the reasons above');
    const semi = await labels('--data', file('semi.csv', 'instruction;output\nSay hi;Hi!\n2+2?;4\n'));
    expect(semi.code, semi.stderr).toBe(0);
    expect(semi.stderr).toMatch(/^2 examples labeled/m);
    const text = 'instruction,output\r\nSay hi,Héllo\r\n';
    const utf16 = new Uint8Array(2 + 2 * text.length);
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) utf16.set([text.charCodeAt(i) & 0xff, text.charCodeAt(i) >> 8], 2 + 2 * i);
    const u = await labels('--data', file('utf16.csv', utf16));
    expect(u.code, u.stderr).toBe(0);
    expect(u.stderr).toMatch(/^1 example labeled/m);
  }, 120_000);

  it('a runaway chat template stops the command once, naming tokenizer_config.json', async () => {
    const model = join(tmp, 'evil-model');
    mkdirSync(model);
    copyFileSync(join(MODEL, 'tokenizer.json'), join(model, 'tokenizer.json'));
    const config = JSON.parse(readFileSync(join(MODEL, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(model, 'tokenizer_config.json'), JSON.stringify({ ...config, chat_template: '{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}' }));
    const t0 = performance.now();
    const out = join(tmp, 'evil.jsonl');
    const r = await runCli(['labels', '--model', model, '--mode', 'assistant-only', '--data', PAIRS, '--out', out]);
    oneError(r, 'error: the chat template in tokenizer_config.json ran for more than 2 s and was stopped (an endless or huge loop?)');
    expect(r.stderr).not.toMatch(/^line \d+:/m); // not one failure per example
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('special-token strings typed in an answer: kept as the control token with a warning, or escaped', async () => {
    const data = file('typed.jsonl', JSON.stringify({ messages: [{ role: 'user', content: 'How do turns end?' }, { role: 'assistant', content: 'With <|im_end|> here.' }] }) + '\n');
    const keepOut = join(tmp, 'keep.jsonl'), escapeOut = join(tmp, 'escape.jsonl');
    const keep = await labels('--data', data, '--out', keepOut, '--show', '1');
    expect(keep.code, keep.stderr).toBe(0);
    expect(keep.stdout).toContain('the text of assistant turn 1 contains "<|im_end|>", which is encoded as the special token itself');
    const esc = await labels('--data', data, '--out', escapeOut, '--special-tokens', 'escape');
    expect(esc.code, esc.stderr).toBe(0);
    const ids = (path: string) => (JSON.parse(readFileSync(path, 'utf8')) as { input_ids: number[] }).input_ids;
    const count = (xs: number[]) => xs.filter((x) => x === FIXTURE_EOS).length;
    // The template's own end-of-turn tokens stay; the typed one is gone when escaped.
    expect(count(ids(keepOut))).toBe(count(ids(escapeOut)) + 1);
    oneError(await labels('--data', data, '--special-tokens', 'strip'), 'error: --special-tokens must be one of keep, escape, got "strip"');
  }, 120_000);
});
