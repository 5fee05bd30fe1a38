/**
 * Opening a checkpoint: work out which safetensors files make it up (model.safetensors, or the shards named by
 * model.safetensors.index.json), read and validate every header (two small Range requests per file), and check
 * the files against each other and the index — all before a single weight byte is streamed, so a broken repo
 * fails up front and nothing half-loaded exists.
 */
import { ModelFileError, HubError } from './errors';
import { fetchJson, shardsOf, INDEX_FILE, SINGLE_FILE, type HubRepo, type SafetensorsIndex } from './hub';
import { parseSafetensorsHeader, readHeaderLength, type SafetensorsHeader, type TensorInfo } from './safetensors';
import { BlobFile, HttpFile, readBytes, type ByteFile, type HttpOptions } from './source';
import type { ModelCache } from './cache';

/** A local file picked by the user (File has a name) or any Blob with a name. */
export type NamedBlob = File | { name: string; blob: Blob };

export type CheckpointSource = ({ kind: 'hub' } & HubRepo) | { kind: 'files'; files: NamedBlob[] };

export interface LoadTensor extends TensorInfo {
  /** The safetensors file holding it (name inside the model). */
  file: string;
  /** end − begin. */
  byteLength: number;
}

export interface CheckpointFile {
  name: string;
  /** For messages. */
  label: string;
  header: SafetensorsHeader;
  /** The first 8 + N bytes, kept to store the file in the cache. */
  headerBytes: Uint8Array;
  /** Size in bytes (8 + N + data). */
  size: number;
  fromCache: boolean;
  tensors: LoadTensor[];
  source: ByteFile;
}

export interface Checkpoint {
  source: CheckpointSource;
  files: CheckpointFile[];
  /** Every tensor of every file, in streaming order. */
  tensors: LoadTensor[];
  index?: SafetensorsIndex;
  /** Bytes of all data sections. */
  dataBytes: number;
}

export interface OpenCheckpointOptions extends HttpOptions {
  source: CheckpointSource;
  /** Explicit safetensors files (e.g. ["adapter_model.safetensors"]); default: the index's shards, else model.safetensors. */
  files?: string[];
  signal?: AbortSignal;
  /** Cache for hub files; null: none. (Resolved by loadCheckpoint; openCheckpoint does not open one itself.) */
  cache?: ModelCache | null;
}

export async function openCheckpoint(options: OpenCheckpointOptions): Promise<Checkpoint> {
  const { source, signal } = options;
  const { names, index, indexLabel } = await resolveFiles(options);
  const files = await Promise.all(names.map((n) => openFile(n, options)));
  signal?.throwIfAborted();

  const owner = new Map<string, CheckpointFile>();
  for (const f of files)
    for (const t of f.tensors) {
      const other = owner.get(t.name);
      if (other) throw new ModelFileError(f.label, `tensor "${t.name}" is also in ${other.name}; a checkpoint may hold each tensor once.`, t.name);
      owner.set(t.name, f);
    }
  if (index) {
    for (const [name, file] of Object.entries(index.weight_map)) {
      const f = owner.get(name);
      if (!f) throw new ModelFileError(indexLabel, `lists tensor "${name}" in ${file}, but that file has no such tensor.`, name);
      if (f.name !== file) throw new ModelFileError(indexLabel, `puts tensor "${name}" in ${file}, but it is in ${f.name}.`, name);
    }
    for (const [name, f] of owner)
      if (!(name in index.weight_map)) throw new ModelFileError(f.label, `has tensor "${name}", which ${INDEX_FILE} does not list.`, name);
  }
  const tensors = files.flatMap((f) => f.tensors);
  return { source, files, tensors, index, dataBytes: files.reduce((a, f) => a + f.header.dataLength, 0) };
}

async function resolveFiles(options: OpenCheckpointOptions): Promise<{ names: string[]; index?: SafetensorsIndex; indexLabel: string }> {
  const { source, signal } = options;
  if (source.kind === 'hub') {
    const indexLabel = `${source.repo}/${INDEX_FILE}`;
    if (options.files) return { names: options.files, indexLabel };
    const index = await fetchJson<SafetensorsIndex>(source, INDEX_FILE, { optional: true, signal, cache: options.cache, retry: options.retry });
    return index ? { names: shardsOf(index, indexLabel), index, indexLabel } : { names: [SINGLE_FILE], indexLabel };
  }
  const byName = new Map(source.files.map((f) => [f.name, f]));
  if (options.files) return { names: options.files, indexLabel: INDEX_FILE };
  const indexFile = byName.get(INDEX_FILE) ?? source.files.find((f) => f.name.endsWith('.safetensors.index.json'));
  if (indexFile) {
    const text = await blobOf(indexFile).text();
    let index: SafetensorsIndex;
    try {
      index = JSON.parse(text) as SafetensorsIndex;
    } catch (e) {
      throw new ModelFileError(indexFile.name, `is not valid JSON (${(e as Error).message}).`);
    }
    return { names: shardsOf(index, indexFile.name), index, indexLabel: indexFile.name };
  }
  if (byName.has(SINGLE_FILE)) return { names: [SINGLE_FILE], indexLabel: INDEX_FILE };
  const all = source.files.filter((f) => f.name.endsWith('.safetensors')).map((f) => f.name);
  if (all.length === 1) return { names: all, indexLabel: INDEX_FILE };
  throw new ModelFileError(
    'selected files',
    all.length === 0
      ? 'contain no .safetensors file. Pick the model folder (model.safetensors, or the shards and model.safetensors.index.json).'
      : `contain several .safetensors files (${all.join(', ')}) but no ${INDEX_FILE} saying how they fit together.`,
  );
}

const blobOf = (f: NamedBlob): Blob => ('blob' in f ? f.blob : f);

async function byteFile(name: string, options: OpenCheckpointOptions): Promise<{ file: ByteFile; fromCache: boolean }> {
  const { source } = options;
  if (source.kind === 'files') {
    const f = source.files.find((x) => x.name === name);
    if (!f) throw new ModelFileError(name, 'is needed by the checkpoint but was not among the selected files.');
    return { file: new BlobFile(name, name, blobOf(f)), fromCache: false };
  }
  const cached = options.cache ? await options.cache.getBlob(source, name) : null;
  if (cached) return { file: new BlobFile(name, `${source.repo}/${name} (cached)`, cached), fromCache: true };
  return { file: new HttpFile(source, name, options), fromCache: false };
}

async function openFile(name: string, options: OpenCheckpointOptions): Promise<CheckpointFile> {
  const { signal } = options;
  const { file, fromCache } = await byteFile(name, options);
  let first: Uint8Array;
  try {
    first = await readBytes(file, 0, 8, signal);
  } catch (e) {
    if (e instanceof HubError && e.kind === 'file-not-found' && options.files === undefined && name !== SINGLE_FILE)
      throw new ModelFileError(`${options.source.kind === 'hub' ? options.source.repo + '/' : ''}${INDEX_FILE}`, `lists ${name}, which does not exist in the repository.`);
    if (e instanceof HubError && e.kind === 'file-not-found' && name === SINGLE_FILE)
      throw new HubError(e.kind, `${e.message} The studio needs safetensors weights (model.safetensors or a sharded index); PyTorch .bin checkpoints are not supported.`, e);
    throw truncatedHeader(e, file);
  }
  const ctx = { fileName: file.label, fileSize: file.size };
  const n = readHeaderLength(first, ctx);
  const headerBytes = new Uint8Array(8 + n);
  headerBytes.set(first);
  try {
    headerBytes.set(await readBytes(file, 8, 8 + n, signal), 8);
  } catch (e) {
    throw truncatedHeader(e, file);
  }
  const header = parseSafetensorsHeader(headerBytes, { fileName: file.label, fileSize: file.size });
  const tensors = header.tensors.map((t) => ({ ...t, file: name, byteLength: t.end - t.begin }));
  const size = file.size ?? header.dataOffset + header.dataLength;
  return { name, label: file.label, header, headerBytes, size, fromCache, tensors, source: file };
}

function truncatedHeader(e: unknown, file: ByteFile): unknown {
  if (e instanceof Error && e.name === 'TruncatedRead') return new ModelFileError(file.label, `could not read the header: ${e.message}.`);
  return e;
}
