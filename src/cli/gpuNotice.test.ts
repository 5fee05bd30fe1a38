/**
 * On a machine without a GPU (here: SwiftShader, the CPU Vulkan driver), what the CLI prints on stderr is exactly its
 * own one-line notice — no "error: XDG_RUNTIME_DIR is invalid" from libwayland, no Vulkan loader or Dawn warnings
 * about mesa's lavapipe — and `npm run cli` adds no npm config warning (.npmrc's onnxruntime-node-install is gone).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../testing/cli';
import { writeTinyModelDir } from '../testing/modelFiles';

const tmp = mkdtempSync(join(tmpdir(), 'gpu-notice-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const MODEL = join(tmp, 'model');
writeTinyModelDir(MODEL, 'llama', { tokenizer: true, seed: 3, overrides: { num_hidden_layers: 1 } });

const NOTICE = 'No GPU adapter found; using the CPU WebGPU adapter (SwiftShader). Expect it to be slow.';
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const hasGpuDevice = existsSync('/dev/dri') || existsSync('/dev/nvidia0');

/** A server's environment: no desktop session variables, no Vulkan driver choice unless given. */
function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  for (const k of ['XDG_RUNTIME_DIR', 'WAYLAND_DISPLAY', 'WAYLAND_SOCKET', 'DISPLAY', 'VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES', 'VK_LOADER_DRIVERS_DISABLE', 'VK_LOADER_DRIVERS_SELECT', 'npm_config_loglevel'])
    if (!(k in extra)) delete env[k];
  return env;
}

function generate(env: NodeJS.ProcessEnv) {
  const r = spawnSync('npm', ['run', 'cli', '--', 'generate', '--model', MODEL, '--prompt', 'Hi', '--max-tokens', '2', '--temperature', '0'], { cwd: ROOT, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('stderr on a machine without a GPU', () => {
  it.skipIf(!existsSync(SWIFTSHADER))('is exactly our one-line notice (and the run summary): SwiftShader as the only driver', () => {
    const r = generate(serverEnv({ VK_ICD_FILENAMES: SWIFTSHADER }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^${NOTICE.replace(/[().]/g, '\\$&')}\\n\\[2 tokens, stopped: max-tokens, [\\d.]+ tok/s\\]\\n$`));
  }, 60_000);

  it.skipIf(!existsSync(SWIFTSHADER) || hasGpuDevice)('is exactly our one-line notice with the system Vulkan drivers (mesa lavapipe installed)', () => {
    const r = generate(serverEnv({}));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe(NOTICE);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(2);
  }, 60_000);
});
