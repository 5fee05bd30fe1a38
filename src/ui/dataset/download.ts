import { saveBlob } from '../export/download';

/** Saves text as a file through a temporary object URL (nothing leaves the machine). */
export function downloadText(filename: string, text: string, type = 'text/plain'): void {
  saveBlob(filename, new Blob([text], { type: `${type};charset=utf-8` }));
}

/** A file-name-safe version of a dataset name. */
export function safeName(name: string): string {
  return name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'dataset';
}
