/**
 * Browser side of the "import" benchmark: `window.importProbe` imports a generated JSONL file into the studio's
 * IndexedDB (dexie) the way the Import dialog does (src/ui/dataset/ImportDialog.tsx: readSample + detectFormat when
 * the file is chosen, then parseDatasetStream over file.stream() in batches of 2000 and one importExamples
 * transaction), or the naive way (file.text(), one JSON.parse of the whole file, one bulkAdd).
 */
import { detectFormat, parseDatasetStream, suggestMapping, type ParsedRow, type RowError } from '../../../data/formats';
import { readSample } from '../../../ui/dataset/importModel';
import { countExamples, getDb, importExamples, newId } from '../../../db';

export interface ImportRun {
  rows: number;
  errors: number;
  ms: number;
  datasetId: string;
}

export interface ImportProbe {
  /** Builds the n-example JSONL file (kept as a File, i.e. a Blob outside the JS heap); returns its size. */
  prepare(n: number): Promise<number>;
  ours(): Promise<ImportRun>;
  naive(): Promise<ImportRun>;
  count(datasetId: string): Promise<number>;
  /** Empties the datasets and examples tables (between runs, so each starts from the same database). */
  reset(): Promise<void>;
}

/** Alpaca rows of realistic length from a seeded word generator (no near-duplicates). */
function jsonl(n: number): string {
  let seed = 12345;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const syl = ['ka', 'lo', 'mi', 'ren', 'tas', 'vo', 'quen', 'dri', 'sul', 'pe', 'nor', 'thi', 'ga', 'bel', 'zu', 'or', 'an', 'ist', 'el', 'mon'];
  const word = () => Array.from({ length: 1 + Math.floor(rand() * 3) }, () => syl[Math.floor(rand() * syl.length)]).join('');
  const sentence = (k: number) => Array.from({ length: k }, word).join(' ');
  const lines: string[] = [];
  for (let i = 0; i < n; i++)
    lines.push(JSON.stringify({ instruction: 'Rewrite the note politely.', input: `Note ${i + 1}: ${sentence(20 + Math.floor(rand() * 30))}`, output: sentence(10 + Math.floor(rand() * 20)) }));
  return `${lines.join('\n')}\n`;
}

let file: File | null = null;
let detected: { format: ReturnType<typeof detectFormat>; mapping: ReturnType<typeof suggestMapping> } | null = null;
let runs = 0;

const need = () => {
  if (!file || !detected) throw new Error('call prepare(n) first');
  return { file, detected };
};

const probe: ImportProbe = {
  async prepare(n) {
    file = new File([jsonl(n)], 'big.jsonl', { type: 'application/jsonl' });
    const { text } = await readSample(file);
    const format = detectFormat(text, file.name);
    detected = { format, mapping: suggestMapping(format.columns) };
    return file.size;
  },
  async ours() {
    const { file: f, detected: d } = need();
    const t0 = performance.now();
    const rows: ParsedRow[] = [];
    const errors: RowError[] = [];
    const opts = { filename: f.name, format: d.format.format, container: d.format.container, mapping: d.mapping, batchSize: 2000 };
    for await (const batch of parseDatasetStream(f.stream(), opts)) {
      rows.push(...batch.rows);
      errors.push(...batch.errors);
    }
    const inputs = rows.map((r) => ({ body: r.body, tags: r.tags, split: r.split, notes: r.notes, extra: r.extra }));
    const datasetId = await importExamples({ newDataset: { name: `import ${++runs}`, description: `Imported from ${f.name}` } }, inputs);
    return { rows: rows.length, errors: errors.length, ms: performance.now() - t0, datasetId };
  },
  async naive() {
    const { file: f } = need();
    const t0 = performance.now();
    const text = await f.text();
    const records = JSON.parse(`[${text.trim().split('\n').join(',')}]`) as { instruction: string; input: string; output: string }[];
    const db = getDb();
    const now = Date.now();
    const datasetId = newId();
    await db.transaction('rw', db.datasets, db.examples, async () => {
      await db.datasets.add({ id: datasetId, name: `naive ${++runs}`, description: '', systemPrompt: '', createdAt: now, updatedAt: now });
      await db.examples.bulkAdd(records.map((r, order) => ({
        id: newId(), datasetId, body: { kind: 'pair' as const, instruction: r.instruction, input: r.input, output: r.output },
        tags: [], split: 'train' as const, notes: '', order, createdAt: now, updatedAt: now,
      })));
    });
    return { rows: records.length, errors: 0, ms: performance.now() - t0, datasetId };
  },
  count: (datasetId) => countExamples(datasetId),
  async reset() {
    const db = getDb();
    await db.transaction('rw', db.datasets, db.examples, async () => {
      await db.examples.clear();
      await db.datasets.clear();
    });
  },
};

declare global {
  interface Window {
    importProbe?: ImportProbe;
  }
}
window.importProbe = probe;
document.title = 'import probe ready';
