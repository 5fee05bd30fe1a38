#!/usr/bin/env node
/**
 * `npm test`: the whole suite from a fresh clone. Installs what is missing, then runs, in order:
 * typecheck, lint, unit + kernel tests (Vitest; kernels on Node's Dawn/SwiftShader; the parity tests against the real
 * Python transformers + PEFT when scripts/python-env.mjs could set up .venv-py/), production build, and the
 * end-to-end tests in headless Chromium (Playwright). Stops at the first failing stage. Ends with one summary line.
 *   npm test -- --only unit|e2e     run one tier (after typecheck/lint are skipped too)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync, mkdirSync } from 'node:fs';
import { ensureNodeModules, ensureSystemPackages } from './system.mjs';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
ensureSystemPackages();
ensureNodeModules();
mkdirSync('test-results', { recursive: true });

const env = { ...process.env, VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? '/usr/lib/chromium/vk_swiftshader_icd.json' };
let passed = 0;
let failed = 0;

function stage(name, cmd, args, count) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  const ok = r.status === 0;
  const counted = count?.();
  if (counted) {
    passed += counted.passed;
    failed += counted.failed;
  } else if (ok) passed++;
  else failed++;
  console.log(`=== ${name}: ${ok ? 'ok' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (!ok) finish(r.status ?? 1);
}

function finish(code) {
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(code);
}

function vitestCounts() {
  const f = 'test-results/vitest.json';
  if (!existsSync(f)) return null;
  const j = JSON.parse(readFileSync(f, 'utf8'));
  return { passed: j.numPassedTests, failed: j.numFailedTests + (j.numTotalTestSuites && !j.success && !j.numFailedTests ? 1 : 0) };
}

function playwrightCounts() {
  const f = 'test-results/playwright.json';
  if (!existsSync(f)) return null;
  const s = JSON.parse(readFileSync(f, 'utf8')).stats;
  return { passed: s.expected + s.flaky, failed: s.unexpected };
}

if (!only) {
  stage('typecheck', 'npx', ['tsc', '-p', '.']);
  stage('lint', 'npx', ['eslint', '--max-warnings=0', '.']);
}
if (!only || only === 'unit') {
  // The live parity tests against Python's transformers + PEFT + TRL: set up when this machine can (never fails).
  spawnSync('node', ['scripts/python-env.mjs'], { stdio: 'inherit', env });
  stage('unit + kernels (Node, Dawn/SwiftShader)', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json'], vitestCounts);
}
if (!only || only === 'e2e') {
  stage('build', 'npx', ['vite', 'build', '--logLevel', 'warn']);
  stage('e2e (headless Chromium, WebGPU on SwiftShader)', 'npx', ['playwright', 'test'], playwrightCounts);
}
finish(0);
