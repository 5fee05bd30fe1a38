/** The model sources the Model section offers. */
import type { ModelSourceSpec } from '../../worker/protocol';

export const BUILTIN_NAME = 'studio-base';

/** The built-in model served with the app (public/models/studio-base). */
export function builtinSource(): ModelSourceSpec {
  return { kind: 'builtin', baseUrl: `${location.origin}${import.meta.env.BASE_URL}models/${BUILTIN_NAME}`, name: BUILTIN_NAME };
}

/** Small instruction-tuned and base models the engine runs, offered as one-click suggestions. */
export const SUGGESTED_REPOS: { repo: string; note: string }[] = [
  { repo: 'HuggingFaceTB/SmolLM2-135M-Instruct', note: '135M · Llama · chat' },
  { repo: 'HuggingFaceTB/SmolLM2-360M-Instruct', note: '360M · Llama · chat' },
  { repo: 'Qwen/Qwen3-0.6B', note: '596M · Qwen3 · chat (thinking)' },
  { repo: 'google/gemma-3-270m-it', note: '268M · Gemma 3 · chat · gated: needs a token' },
  { repo: 'Qwen/Qwen2.5-0.5B-Instruct', note: '494M · Qwen2 · chat' },
  { repo: 'allenai/OLMo-2-0425-1B-Instruct', note: '1.5B · OLMo 2 · chat' },
  { repo: 'Qwen/Qwen2.5-0.5B', note: '494M · Qwen2 · base' },
  { repo: 'openai-community/gpt2', note: '124M · GPT-2 · base' },
];

/**
 * From a folder pick or a drop: the files at the top of the folder (a model folder's subfolders — onnx/, .git/ —
 * are not part of a safetensors checkpoint and could shadow its files by name).
 */
export function topLevelFiles(files: File[]): File[] {
  const depth = (f: File) => (f.webkitRelativePath ? f.webkitRelativePath.split('/').length : 1);
  const min = Math.min(...files.map(depth));
  return files.filter((f) => depth(f) === min);
}

/** Files from a drag-and-drop: plain files, or the top level of a dropped folder. */
export async function droppedFiles(dt: DataTransfer): Promise<File[]> {
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) return [...dt.files];
  const out: File[] = [];
  const fileOf = (e: FileSystemFileEntry) => new Promise<File>((res, rej) => e.file(res, rej));
  for (const e of entries) {
    if (e.isFile) out.push(await fileOf(e as FileSystemFileEntry));
    else if (e.isDirectory) {
      const reader = (e as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (batch.length === 0) break;
        for (const b of batch) if (b.isFile) out.push(await fileOf(b as FileSystemFileEntry));
      }
    }
  }
  return out;
}
