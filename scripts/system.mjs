/**
 * Makes sure the machine has what the studio's tests and tools need beyond npm: Debian's chromium (the browser the
 * e2e tests drive, and the SwiftShader Vulkan driver WebGPU runs on without a GPU) and the Vulkan loader for Node's
 * Dawn. Installs them with apt-get when running as root; otherwise says exactly what to run.
 * Also installs npm dependencies when node_modules is missing or older than package-lock.json.
 */
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

export const CHROMIUM = process.env.STUDIO_CHROMIUM ?? '/usr/bin/chromium';
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

function hasVulkanLoader() {
  try {
    return execSync('ldconfig -p', { encoding: 'utf8' }).includes('libvulkan.so.1');
  } catch {
    return existsSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1') || existsSync('/usr/lib/aarch64-linux-gnu/libvulkan.so.1');
  }
}

export function ensureSystemPackages({ needBrowser = true } = {}) {
  const missing = [];
  if (needBrowser && (!existsSync(CHROMIUM) || !existsSync(SWIFTSHADER_ICD))) missing.push('chromium');
  if (!hasVulkanLoader()) missing.push('libvulkan1');
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    console.error(
      `Missing system packages: ${missing.join(' ')}.\n` +
        `Install them (Debian/Ubuntu): sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}\n` +
        'Elsewhere: install Chromium and a Vulkan loader, and set STUDIO_CHROMIUM to the browser binary.',
    );
    process.exit(1);
  }
  console.log(`Installing ${missing.join(' ')} with apt-get ...`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { DEBIAN_FRONTEND: 'noninteractive' });
}

/**
 * Environment for `npm ci`: onnxruntime-node (a dependency of @huggingface/transformers, unused here: the studio runs
 * its own WebGPU engine) would download ~600 MB of CUDA libraries on Linux x64. Its install script reads this variable;
 * set in .npmrc instead, the option made every npm command warn `Unknown project config "onnxruntime-node-install"`.
 * Installing by hand: ONNXRUNTIME_NODE_INSTALL=skip npm ci
 */
export const INSTALL_ENV = { ONNXRUNTIME_NODE_INSTALL: 'skip' };

export function ensureNodeModules() {
  const lock = 'package-lock.json';
  const marker = 'node_modules/.package-lock.json';
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('Installing npm dependencies (npm ci) ...');
  run('npm', ['ci', '--no-audit', '--no-fund'], INSTALL_ENV);
}

export function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}
