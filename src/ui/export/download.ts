/** Saves bytes or text as a file through a temporary object URL (nothing leaves the machine). */
export function saveFile(name: string, data: Uint8Array | string, type: string): void {
  saveBlob(name, new Blob([typeof data === 'string' ? data : (data.slice().buffer as ArrayBuffer)], { type }));
}

/** A file-name-safe version of a run name: "pairs · Completion only" → "pairs-completion-only". */
export function slug(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^\w]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'adapter';
}

/** Saves a Blob (e.g. a streamed .zip the Worker assembled) as a download. */
export function saveBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
