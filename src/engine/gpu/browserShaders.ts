/** Registers every shaders/*.wgsl with the engine through Vite's raw imports (app and Worker builds). */
import { registerShaders, shaderNameFromPath } from './shaders';

const files = import.meta.glob('/shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export function registerBrowserShaders(): void {
  const byName: Record<string, string> = {};
  for (const [path, code] of Object.entries(files)) byName[shaderNameFromPath(path)] = code;
  registerShaders(byName);
}
