/**
 * generation_config.json through every model source the Worker reads (hub, built-in, local files): optional — a
 * missing one is fine —, carried through as parsed JSON for the stop set, and a malformed one fails the load with an
 * error that names the file. fetch is stubbed; nothing leaves the machine.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveSource } from './sources';
import { HubError, ModelFileError } from '../engine/io/errors';

const CONFIG = { model_type: 'llama' };
const TOKENIZER = { model: { type: 'BPE', vocab: {}, merges: [] } };

/** A fake server: path suffix → body (string = served as is, so malformed JSON can be served); others are 404. */
function serve(files: Record<string, string>) {
  const fetchStub = vi.fn(async (input: string | URL) => {
    const url = String(input);
    const name = Object.keys(files).find((f) => url.endsWith(`/${f}`));
    if (name === undefined) return new Response('Entry not found', { status: 404, headers: { 'X-Error-Code': 'EntryNotFound' } });
    return new Response(files[name], { status: 200, headers: { 'content-type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchStub);
}

const base = (generationConfig?: string): Record<string, string> => ({
  'config.json': JSON.stringify(CONFIG),
  'tokenizer.json': JSON.stringify(TOKENIZER),
  'tokenizer_config.json': '{}',
  'model.safetensors': 'weights',
  ...(generationConfig !== undefined ? { 'generation_config.json': generationConfig } : {}),
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('generation_config.json in model sources', () => {
  it('hub: read when present, null when absent, an error naming the file when malformed', async () => {
    serve(base(JSON.stringify({ eos_token_id: [1, 106] })));
    expect((await resolveSource({ kind: 'hub', repo: 'org/model' })).generationConfig).toEqual({ eos_token_id: [1, 106] });
    serve(base());
    expect((await resolveSource({ kind: 'hub', repo: 'org/model' })).generationConfig).toBeNull();
    serve(base('{ not json'));
    await expect(resolveSource({ kind: 'hub', repo: 'org/model' })).rejects.toThrow(/org\/model\/generation_config\.json is not valid JSON/);
    serve(base(JSON.stringify({ eos_token_id: 'x' })));
    await expect(resolveSource({ kind: 'hub', repo: 'org/model' })).rejects.toThrow(/^org\/model\/generation_config\.json: "eos_token_id"/);
  });

  it('built-in: read when present, null when absent, an error naming the file when malformed', async () => {
    const spec = { kind: 'builtin' as const, baseUrl: 'http://app.test/models/studio-base', name: 'studio-base' };
    serve(base(JSON.stringify({ eos_token_id: [0, 2] })));
    expect((await resolveSource(spec)).generationConfig).toEqual({ eos_token_id: [0, 2] });
    serve(base());
    expect((await resolveSource(spec)).generationConfig).toBeNull();
    serve(base('{ not json'));
    const err = await resolveSource(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as ModelFileError).file).toBe('generation_config.json');
    // Other failures are not mistaken for "absent".
    vi.stubGlobal('fetch', async (url: string) =>
      String(url).endsWith('generation_config.json') ? new Response('', { status: 500 }) : new Response(base()[String(url).split('/').pop()!], { status: 200 }),
    );
    await expect(resolveSource(spec)).rejects.toBeInstanceOf(HubError);
  });

  it('local files: read when chosen, null when not, an error naming the file when malformed', async () => {
    const files = (gen?: string) =>
      Object.entries(base(gen)).map(([name, text]) => new File([text], name, { type: 'application/json' }));
    expect((await resolveSource({ kind: 'files', files: files(JSON.stringify({ eos_token_id: 7 })) })).generationConfig).toEqual({ eos_token_id: 7 });
    expect((await resolveSource({ kind: 'files', files: files() })).generationConfig).toBeNull();
    await expect(resolveSource({ kind: 'files', files: files('{ not json') })).rejects.toThrow(/^generation_config\.json: is not valid JSON/);
    await expect(resolveSource({ kind: 'files', files: files('[3]') })).rejects.toThrow(/^generation_config\.json: expected a JSON object/);
  });
});
