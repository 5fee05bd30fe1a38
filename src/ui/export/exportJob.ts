/**
 * Running one export through the engine Worker from the Export page: pick where it goes (a folder through the File
 * System Access API where the browser has it, else a .zip download), follow its progress, cancel it, and save the
 * archive when it is one.
 */
import { useCallback, useRef, useState } from 'react';
import { engine } from '../../worker/client';
import type { ExportRequest, ExportTarget } from '../../worker/exportProtocol';
import { saveBlob } from './download';

type Body = Exclude<ExportRequest, { type: 'cancelExport' }> extends infer R ? (R extends unknown ? Omit<R, 'id' | 'target'> : never) : never;

export interface ExportResult {
  ok: boolean;
  text: string;
  files?: { name: string; size: number }[];
  firstBatchLoss?: number;
}

interface DirectoryPicker {
  showDirectoryPicker?(opts: { mode: 'readwrite'; id?: string }): Promise<FileSystemDirectoryHandle>;
}

/** True where the browser can write a folder (Chrome/Edge); elsewhere exports download as a .zip. */
export function canWriteFolders(): boolean {
  return typeof (window as DirectoryPicker).showDirectoryPicker === 'function' && !(window as { __studioForceZip?: boolean }).__studioForceZip;
}

export function useExportJob() {
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<{ file: string; done: number; total: number } | null>(null);
  const [result, setResult] = useState<ExportResult | null>(null);
  const cancelled = useRef(false);

  const start = useCallback(async (body: Body, folder: string, where: 'folder' | 'zip', prepare?: () => Promise<void>) => {
    setResult(null);
    cancelled.current = false;
    let target: ExportTarget;
    if (where === 'folder') {
      try {
        const handle = await (window as DirectoryPicker).showDirectoryPicker!({ mode: 'readwrite', id: 'studio-export' });
        target = { kind: 'directory', handle, folder };
      } catch {
        return; // the user closed the picker
      }
    } else target = { kind: 'zip', folder };
    setBusy(true);
    setProgress({ file: '', done: 0, total: 0 });
    try {
      await prepare?.();
      const done = await engine().call({ ...body, target } as Parameters<ReturnType<typeof engine>['call']>[0], ['exportDone'], (e) => {
        if (e.type === 'exportProgress') setProgress({ file: e.file, done: e.done, total: e.total });
      });
      if (done.zip) saveBlob(`${done.folder}.zip`, done.zip);
      setResult({
        ok: true, files: done.files, firstBatchLoss: done.firstBatchLoss,
        text: done.zip ? `Downloaded ${done.folder}.zip.` : `Written to the folder "${done.folder}" you picked.`,
      });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      setResult({ ok: false, text: cancelled.current ? 'Export cancelled: nothing was left behind.' : msg });
    } finally {
      setBusy(false);
      setProgress(null);
    }
  }, []);

  const cancel = useCallback(() => {
    cancelled.current = true;
    engine().send({ type: 'cancelExport' });
  }, []);

  return { busy, progress, result, start, cancel };
}
