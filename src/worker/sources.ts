/**
 * Resolves where a model comes from into what the loader needs: config.json, the tokenizer files, the optional
 * generation_config.json (its eos_token_id joins the generation stop set; checked here so that a malformed one fails
 * the load, naming the file) and a checkpoint source for the weights. Built-in models are served by the app itself;
 * hub repos use the hub layout (any mirror); local files come from a picker or a drop.
 */
import { fetchJson, type HubRepo } from '../engine/io/hub';
import type { CheckpointSource, NamedBlob } from '../engine/io/checkpoint';
import { HubError, ModelFileError } from '../engine/io/errors';
import { parseGenerationConfig } from '../engine/io/generationConfig';
import type { ModelSourceSpec } from './protocol';
import { ModelCache } from '../engine/io/cache';

export interface ResolvedSource {
  name: string;
  configJson: unknown;
  tokenizerJson: unknown;
  tokenizerConfig: unknown;
  generationConfig: unknown;
  /** SentencePiece's tokenizer.model when the chosen local files include it (GGUF export uses its exact scores). */
  tokenizerModel?: Uint8Array | null;
  checkpoint: CheckpointSource;
  /** Called once the whole model loaded: stores what should be kept for next time (hub JSON files). */
  commit?: () => Promise<void>;
}

/** A file of a model the app serves itself (built-in): failures name the model and the file. */
async function fetchOk(name: string, file: string, url: string, signal?: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new HubError('network', `Could not fetch ${file} of the ${name} model from ${url}: ${(e as Error).message}`, { repo: name, file, url });
  }
  // A single-page-app server answers unknown paths with its index.html (200): that is a missing file too.
  const html = res.ok && (res.headers.get('content-type') ?? '').includes('text/html');
  if (html) await res.body?.cancel();
  if (res.status === 404 || html)
    throw new HubError('file-not-found', `The ${name} model is not part of this build: ${file} is missing at ${url} (${html ? 'the server answered with a web page' : '404'}). Load a Hugging Face model or local files instead.`, { repo: name, file, url, status: 404 });
  if (!res.ok) throw new HubError('server', `Could not fetch ${file} of the ${name} model from ${url}: HTTP ${res.status}.`, { repo: name, file, url, status: res.status });
  return res;
}

async function jsonOf(res: Response, file: string): Promise<unknown> {
  try {
    return await res.json();
  } catch (e) {
    throw new ModelFileError(file, `is not valid JSON (${(e as Error).message}).`);
  }
}

async function parseJsonFile(blob: Blob, name: string): Promise<unknown> {
  try {
    return JSON.parse(await blob.text());
  } catch (e) {
    throw new ModelFileError(name, `is not valid JSON (${(e as Error).message}).`);
  }
}

export async function resolveSource(spec: ModelSourceSpec, signal?: AbortSignal): Promise<ResolvedSource> {
  if (spec.kind === 'hub') {
    const repo: HubRepo = { endpoint: spec.endpoint, repo: spec.repo, revision: spec.revision, token: spec.token };
    // The small JSON files come from the browser's model cache when a complete earlier load stored them; fresh ones
    // are stored only after the whole model loaded (Session.load), so a failed load leaves nothing half-stored.
    const cache = await ModelCache.open();
    const toStore: [string, string][] = [];
    const get = async (file: string, optional: boolean) => {
      const cached = await cache?.getText(repo, file);
      if (cached) return JSON.parse(cached) as unknown;
      const value = await fetchJson(repo, file, { signal, optional });
      if (value !== undefined) toStore.push([file, JSON.stringify(value)]);
      return value;
    };
    const [configJson, tokenizerJson, tokenizerConfig, generationConfig] = await Promise.all([
      get('config.json', false),
      get('tokenizer.json', true),
      get('tokenizer_config.json', true),
      get('generation_config.json', true),
    ]);
    if (tokenizerJson === undefined) throw new ModelFileError(`${spec.repo}/tokenizer.json`, 'is missing; the studio needs a fast-tokenizer file (tokenizer.json).');
    parseGenerationConfig(generationConfig, `${spec.repo}/generation_config.json`);
    const commit = async () => {
      for (const [file, text] of toStore) await cache?.putText(repo, file, text).catch(() => {});
    };
    return { name: spec.repo, configJson, tokenizerJson, tokenizerConfig: tokenizerConfig ?? {}, generationConfig: generationConfig ?? null, checkpoint: { kind: 'hub', ...repo }, commit };
  }
  if (spec.kind === 'builtin') {
    const get = async (file: string) => fetchOk(spec.name, file, `${spec.baseUrl}/${file}`, signal);
    // config.json first: when the built-in model is absent, that is the one clear error to show.
    const config = await get('config.json').then((r) => jsonOf(r, 'config.json'));
    const [tok, tokCfg, gen, weights] = await Promise.all([
      get('tokenizer.json').then((r) => jsonOf(r, 'tokenizer.json')),
      get('tokenizer_config.json').then((r) => jsonOf(r, 'tokenizer_config.json')),
      // Optional: a missing file is fine, a malformed one is an error naming it.
      get('generation_config.json').then(
        (r) => jsonOf(r, 'generation_config.json'),
        (e: unknown) => {
          if (e instanceof HubError && e.kind === 'file-not-found') return null;
          throw e;
        },
      ),
      get('model.safetensors').then((r) => r.blob()),
    ]);
    parseGenerationConfig(gen, 'generation_config.json');
    return { name: spec.name, configJson: config, tokenizerJson: tok, tokenizerConfig: tokCfg, generationConfig: gen, checkpoint: { kind: 'files', files: [{ name: 'model.safetensors', blob: weights }] } };
  }
  // Local files: a folder's contents or individually picked files.
  const byName = new Map<string, File>();
  for (const f of spec.files) byName.set(f.name, f);
  const need = (name: string) => {
    const f = byName.get(name);
    if (!f) throw new ModelFileError(name, 'was not among the chosen files (pick the whole model folder: config.json, tokenizer.json, tokenizer_config.json and the .safetensors files).');
    return f;
  };
  const weights: NamedBlob[] = spec.files.filter((f) => f.name.endsWith('.safetensors') || f.name === 'model.safetensors.index.json');
  if (!weights.some((f) => f.name.endsWith('.safetensors'))) throw new ModelFileError('model.safetensors', 'no .safetensors weights were among the chosen files.');
  const optional = async (name: string) => (byName.has(name) ? parseJsonFile(byName.get(name)!, name) : null);
  const name = spec.files[0]?.webkitRelativePath?.split('/')[0] || 'local model';
  const configJson = await parseJsonFile(need('config.json'), 'config.json');
  const tokenizerJson = await parseJsonFile(need('tokenizer.json'), 'tokenizer.json');
  const tokenizerConfig = (await optional('tokenizer_config.json')) ?? {};
  const generationConfig = await optional('generation_config.json');
  parseGenerationConfig(generationConfig, 'generation_config.json');
  const spm = byName.get('tokenizer.model');
  const tokenizerModel = spm ? new Uint8Array(await spm.arrayBuffer()) : null;
  return { name, configJson, tokenizerJson, tokenizerConfig, generationConfig, tokenizerModel, checkpoint: { kind: 'files', files: weights } };
}
