/**
 * WGSL sources by name ("matmul" ↔ shaders/matmul.wgsl). The engine never reads files itself: the app registers
 * the sources through Vite (`import.meta.glob(..., { query: '?raw' })`), Node through the filesystem
 * (src/engine/node/shaders.ts). Both register the very same files.
 */
const sources = new Map<string, string>();

export function registerShaders(byName: Record<string, string>): void {
  for (const [name, code] of Object.entries(byName)) sources.set(name, code);
}

/** Turn glob keys like "/shaders/matmul.wgsl" into "matmul". */
export function shaderNameFromPath(path: string): string {
  const file = path.split('/').pop() ?? path;
  return file.replace(/\.wgsl$/, '');
}

export function getShader(name: string): string {
  const code = sources.get(name);
  if (code === undefined)
    throw new Error(`WGSL shader "${name}" is not registered (expected shaders/${name}.wgsl). Registered: ${[...sources.keys()].join(', ') || 'none'}`);
  return code;
}
