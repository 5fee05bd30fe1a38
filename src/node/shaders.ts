/** Registers every shaders/*.wgsl file with the engine, read from disk (the app gets the same files through Vite). */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerShaders } from '../engine/gpu/shaders';

export const SHADER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../shaders');

let done = false;
export function registerNodeShaders(): void {
  if (done) return;
  const byName: Record<string, string> = {};
  for (const file of readdirSync(SHADER_DIR)) {
    if (file.endsWith('.wgsl')) byName[file.slice(0, -5)] = readFileSync(join(SHADER_DIR, file), 'utf8');
  }
  registerShaders(byName);
  done = true;
}
