/**
 * Seeded, bounded fuzzing of the dataset detector and parsers: valid files of every format and container, mutated at
 * random (bytes flipped, inserted, deleted; lines duplicated, swapped, truncated; quotes, brackets, BOMs and invalid
 * UTF-8 sprinkled in). Whatever the input: no exception, no hang (each file well under a second), and every error
 * carries a line number inside the file and a reason. The seed is printed with any failure, so it can be replayed.
 */
import { describe, expect, it } from 'vitest';
import { detectFormat, exportDataset, parseDataset, parseDatasetStream, type Container, type FormatId, type RowError } from './index';
import type { ExampleBody } from '../types';

const SEED = Number(process.env.FUZZ_SEED ?? 20240611);
const FILES_PER_BASE = Number(process.env.FUZZ_FILES ?? 60);

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pairs: ExampleBody[] = [
  { kind: 'pair', instruction: 'Say hi', input: '', output: 'Hi!' },
  { kind: 'pair', instruction: 'Capital of "France"?', input: 'a, b; c', output: 'Paris.\nReally.' },
  { kind: 'pair', instruction: 'Émoji 👋', input: '', output: 'ok', system: 'Be brief.' },
];
const chats: ExampleBody[] = [
  { kind: 'chat', messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello <|im_end|> there' }] },
  { kind: 'chat', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'Q, "quoted"' }, { role: 'assistant', content: 'A\r\nB', weight: 0 }] },
];
const texts: ExampleBody[] = [{ kind: 'text', text: 'plain document' }, { kind: 'text', text: 'second, with "quotes"\nand lines' }];

const BASES: [FormatId, Container, ExampleBody[]][] = [];
for (const c of ['jsonl', 'json', 'csv'] as Container[]) {
  BASES.push(['alpaca', c, pairs], ['dolly', c, pairs.filter((p) => p.kind === 'pair' && !p.system)], ['trl-prompt-completion', c, pairs.filter((p) => p.kind === 'pair' && !p.system && !p.input)]);
  BASES.push(['sharegpt', c, chats], ['openai', c, chats], ['trl-conversational', c, chats], ['text', c, texts]);
}

const JUNK = ['"', '{', '}', '[', ']', ',', ';', '\t', '\n', '\r\n', '\\', '""', '\uFEFF', 'null', '{"data": [', '\u0000'];
const enc = new TextEncoder();

function mutate(bytes: Uint8Array, r: () => number): Uint8Array {
  let b = Array.from(bytes);
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * (b.length + 1));
    const lines = () => {
      const text = b.map((x) => String.fromCharCode(x)).join('');
      return text.split('\n');
    };
    switch (Math.floor(r() * 10)) {
      case 0: // flip a byte
        if (b.length) b[Math.min(at, b.length - 1)] = Math.floor(r() * 256);
        break;
      case 1: // delete a range
        b.splice(at, Math.floor(r() * 40));
        break;
      case 2: // insert junk text
        b.splice(at, 0, ...enc.encode(JUNK[Math.floor(r() * JUNK.length)]));
        break;
      case 3: // invalid UTF-8
        b.splice(at, 0, ...[0xc3, 0x28, 0xff, 0xfe, 0x80].slice(0, 1 + Math.floor(r() * 5)));
        break;
      case 4: // truncate the file
        b = b.slice(0, at);
        break;
      case 5: { // duplicate a line
        const ls = lines();
        const i = Math.floor(r() * ls.length);
        ls.splice(i, 0, ls[i]);
        b = Array.from(ls.join('\n'), (c) => c.charCodeAt(0));
        break;
      }
      case 6: { // swap two lines
        const ls = lines();
        const i = Math.floor(r() * ls.length), j = Math.floor(r() * ls.length);
        [ls[i], ls[j]] = [ls[j], ls[i]];
        b = Array.from(ls.join('\n'), (c) => c.charCodeAt(0));
        break;
      }
      case 7: { // truncate one line
        const ls = lines();
        const i = Math.floor(r() * ls.length);
        ls[i] = ls[i].slice(0, Math.floor(r() * ls[i].length));
        b = Array.from(ls.join('\n'), (c) => c.charCodeAt(0));
        break;
      }
      case 8: // a byte-order mark (UTF-8 or UTF-16) at the start
        b.unshift(...[[0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff]][Math.floor(r() * 3)]);
        break;
      default: // random bytes
        b.splice(at, 0, ...Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * 256)));
    }
  }
  return Uint8Array.from(b);
}

function checkErrors(errors: RowError[], lineCount: number, where: string): void {
  for (const e of errors) {
    expect(Number.isInteger(e.line) && e.line >= 1 && e.line <= lineCount + 1, `${where}: line ${e.line} of ${lineCount}`).toBe(true);
    expect(typeof e.reason === 'string' && e.reason.length > 0, `${where}: empty reason`).toBe(true);
    expect(typeof e.raw, where).toBe('string');
  }
}

async function streamed(bytes: Uint8Array, filename: string, chunk: number) {
  async function* src() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const errors: RowError[] = [];
  let rows = 0;
  for await (const b of parseDatasetStream(src(), { filename, batchSize: 3 })) {
    errors.push(...b.errors);
    rows += b.rows.length;
    for (const r of b.rows) expect(r.line).toBeGreaterThanOrEqual(1);
  }
  return { rows, errors };
}

describe('dataset parsers under random mutation', () => {
  it(`never throw or hang, and report every bad row with its line (seed ${SEED})`, async () => {
    const r = rng(SEED);
    const started = performance.now();
    let files = 0, withErrors = 0;
    for (const [format, container, bodies] of BASES) {
      const valid = enc.encode(exportDataset(bodies.map((body) => ({ body, tags: [], notes: '', split: 'train' as const })), format, container));
      const name = `data.${container}`;
      for (let k = 0; k < FILES_PER_BASE; k++) {
        const bytes = mutate(valid, r);
        const text = new TextDecoder().decode(bytes);
        const lineCount = text.split('\n').length;
        const where = `seed ${SEED}, ${format}/${container} #${k}: ${JSON.stringify(text.slice(0, 120))}`;
        const t0 = performance.now();
        const named = [name, undefined][k % 2];
        expect(() => detectFormat(text, named), where).not.toThrow();
        const parsed = parseDataset(text, { filename: named });
        checkErrors(parsed.errors, lineCount, where);
        const s = await streamed(bytes, name, 1 + Math.floor(r() * 64));
        checkErrors(s.errors, lineCount, `${where} (streamed)`);
        expect(performance.now() - t0, `${where}: too slow`).toBeLessThan(1000);
        files++;
        if (parsed.errors.length || s.errors.length) withErrors++;
      }
    }
    expect(files).toBe(BASES.length * FILES_PER_BASE);
    expect(withErrors).toBeGreaterThan(files / 4); // the mutations do break files
    expect(performance.now() - started).toBeLessThan(10_000);
  }, 20_000);
});
