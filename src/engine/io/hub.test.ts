import { describe, it, expect } from 'vitest';
import { hubFileUrl, hubErrorFromResponse, shardsOf, type HubRepo } from './hub';
import { ModelFileError } from './errors';

const src: HubRepo = { repo: 'org/model' };
const err = (status: number, code?: string, s: HubRepo = src) =>
  hubErrorFromResponse(new Response(null, { status, headers: code ? { 'X-Error-Code': code } : {} }), s, 'config.json', 'https://x/config.json');

describe('hub URLs', () => {
  it('builds resolve URLs for the hub and for mirrors', () => {
    expect(hubFileUrl(src, 'config.json')).toBe('https://huggingface.co/org/model/resolve/main/config.json');
    expect(hubFileUrl({ ...src, endpoint: 'https://hf-mirror.example/', revision: 'refs/pr/3' }, 'sub dir/model.safetensors')).toBe(
      'https://hf-mirror.example/org/model/resolve/refs%2Fpr%2F3/sub%20dir/model.safetensors',
    );
    expect(hubFileUrl({ repo: 'gpt2' }, 'config.json')).toBe('https://huggingface.co/gpt2/resolve/main/config.json');
    expect(() => hubFileUrl({ repo: '../etc' }, 'x')).toThrow(/not a model id/);
    expect(() => hubFileUrl({ repo: 'a/b/c' }, 'x')).toThrow(/not a model id/);
  });
});

describe('hub error messages', () => {
  it('maps statuses and X-Error-Code to what the user should do', () => {
    expect(err(404, 'RepoNotFound')).toMatchObject({ kind: 'repo-not-found', transient: false });
    expect(err(401, 'RepoNotFound').message).toMatch(/"org\/model" was not found .* if it is private or gated, enter an access token/);
    expect(err(401)).toMatchObject({ kind: 'unauthorized' });
    expect(err(401, undefined, { ...src, token: 't' }).message).toMatch(/access token was rejected/);
    expect(err(404, 'EntryNotFound').message).toBe('"config.json" was not found in "org/model" (revision main).');
    expect(err(404, 'RevisionNotFound', { ...src, revision: 'v2' }).message).toBe('Revision "v2" does not exist in "org/model".');
    expect(err(403, 'GatedRepo', { ...src, token: 't' }).message).toMatch(/gated and your access token is not \(yet\) allowed.*accept the license/);
    expect(err(403).message).toMatch(/forbidden \(403\).*accept its license on https:\/\/huggingface.co\/org\/model/);
    expect(err(429)).toMatchObject({ kind: 'rate-limited', transient: true });
    expect(err(502)).toMatchObject({ kind: 'server', transient: true, status: 502 });
    expect(err(418)).toMatchObject({ kind: 'bad-response', transient: false });
  });

  it('validates sharded indexes', () => {
    expect(shardsOf({ weight_map: { a: 'm-1.safetensors', b: 'm-2.safetensors', c: 'm-1.safetensors' } }, 'idx')).toEqual(['m-1.safetensors', 'm-2.safetensors']);
    expect(() => shardsOf({} as never, 'idx')).toThrow(ModelFileError);
    expect(() => shardsOf({ weight_map: {} }, 'idx')).toThrow(/empty/);
    expect(() => shardsOf({ weight_map: { a: '../x.safetensors' } }, 'idx')).toThrow(/tensor "a" maps to an invalid file/);
    expect(() => shardsOf({ weight_map: { a: 'x.bin' } }, 'idx')).toThrow(/invalid file "x.bin"/);
  });
});
