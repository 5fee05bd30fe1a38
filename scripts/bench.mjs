#!/usr/bin/env node
/**
 * `npm run bench`: runs the benchmark suites listed in src/lab/bench/registry.ts and compares us with our peers.
 *   - browser suites run in lab.html in headless Chromium (WebGPU flags from playwright.config.ts), served by
 *     `vite preview` from a private build (node_modules/.cache/studio-bench/dist, rebuilt when sources are newer,
 *     so a concurrent `vite build` of dist/ cannot pull files from under a running bench);
 *   - node suites are imported with tsx and run in this process.
 * Prints one table and writes a JSON array of records {suite, case, ours, peer, peer_value, ratio, unit, ...}.
 *
 *   npm run bench -- [--quick] [--suite NAME]... [--case NAME]... [--out FILE.json] [--rebuild] [--list]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHROMIUM, ensureNodeModules, ensureSystemPackages, run } from './system.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'node_modules/.cache/studio-bench/dist');
const DEFAULT_OUT = join(ROOT, 'bench/results/latest.json');

/** tsx's loader for .ts modules (set in main, after the install check). */
let tsImport;

/** Stops what we started (preview server, browser) also when interrupted. */
const cleanups = [];
async function cleanup() {
  while (cleanups.length) await cleanups.pop()().catch(() => {});
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    console.error(`\n${sig}: stopping the preview server and the browser ...`);
    cleanup().finally(() => process.exit(130));
  });
}
const navigatorCores = () => availableParallelism();
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

function parseArgs(argv) {
  const opts = { quick: false, suites: [], cases: [], out: DEFAULT_OUT, rebuild: false, list: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--quick') opts.quick = true;
    else if (a === '--suite') opts.suites.push(...value().split(','));
    else if (a === '--case') opts.cases.push(...value().split(','));
    else if (a === '--out') opts.out = resolve(value());
    else if (a === '--rebuild') opts.rebuild = true;
    else if (a === '--list') opts.list = true;
    else if (a === '--help' || a === '-h') {
      console.log('npm run bench -- [--quick] [--suite NAME]... [--case NAME]... [--out FILE.json] [--rebuild] [--list]');
      process.exit(0);
    } else throw new Error(`Unknown option ${a} (try --help)`);
  }
  return opts;
}

/** Newest modification time under the given files/directories (what the page bundle is built from). */
function newestMtime(paths) {
  let newest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const s = statSync(p);
    if (s.isDirectory()) for (const f of readdirSync(p)) visit(join(p, f));
    else newest = Math.max(newest, s.mtimeMs);
  };
  paths.forEach((p) => visit(join(ROOT, p)));
  return newest;
}

function ensureBuild(force) {
  const built = join(OUT_DIR, 'lab.html');
  const sources = ['src', 'shaders', 'public', 'index.html', 'lab.html', 'vite.config.ts', 'package-lock.json'];
  if (!force && existsSync(built) && statSync(built).mtimeMs >= newestMtime(sources)) return;
  console.log('Building the lab page (vite build) ...');
  run('npx', ['vite', 'build', '--outDir', OUT_DIR, '--emptyOutDir', '--logLevel', 'warn']);
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** Starts `vite preview` in its own process group (so we can stop it and its children by id); resolves when up. */
async function startPreview() {
  const port = await freePort();
  const child = spawn('npx', ['vite', 'preview', '--outDir', OUT_DIR, '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  const url = `http://127.0.0.1:${port}`;
  for (let t = 0; t < 120; t++) {
    if (child.exitCode !== null) throw new Error(`vite preview exited (${child.exitCode}): ${stderr}`);
    try {
      if ((await fetch(`${url}/lab.html`)).ok) return { url, stop };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  stop();
  throw new Error(`vite preview did not answer on ${url} within 60 s: ${stderr}`);
}

async function runBrowserSuites(suites, options, rebuild, records) {
  const { CHROMIUM_ARGS } = await tsImport('../playwright.config.ts', import.meta.url);
  const { chromium } = await import('playwright-core');
  ensureBuild(rebuild);
  const preview = await startPreview();
  cleanups.push(async () => preview.stop());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  cleanups.push(() => browser.close());
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(0); // suites can run for minutes; each reports progress instead
    page.on('console', (m) => m.text().startsWith('[bench]') && console.log(`  ${m.text()}`));
    page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
    await page.goto(`${preview.url}/lab.html`);
    await page.waitForFunction(() => window.lab !== undefined);
    const info = await page.evaluate(async () => ({ adapter: await window.lab.adapter(), isolated: globalThis.crossOriginIsolated }));
    const a = info.adapter;
    console.log(`Browser adapter: ${a.vendor} ${a.architecture} ${a.description}${a.isSoftware ? ' (software, CPU)' : ''}; ` +
      `cross-origin isolated: ${info.isolated}`);
    for (const s of suites) {
      console.log(`\n▶ ${s.name} (browser): ${s.description}`);
      const t0 = Date.now();
      records.push(...(await page.evaluate(([name, o]) => window.lab.bench(name, o), [s.name, options])));
      console.log(`  ${s.name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    await cleanup();
  }
}

async function runNodeSuites(suites, options, records) {
  for (const s of suites) {
    console.log(`\n▶ ${s.name} (node): ${s.description}`);
    const t0 = Date.now();
    const mod = await tsImport(pathToFileURL(join(ROOT, s.file)).href, import.meta.url);
    records.push(...(await mod.run({ quick: !!options.quick, cases: options.cases ?? [], log: (m) => console.log(`  [bench] ${m}`) })));
    console.log(`  ${s.name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
}

const STANDARD = new Set(['suite', 'case', 'ours', 'peer', 'peer_value', 'ratio', 'unit', 'note']);
const fmt = (v) => {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'number') return String(v);
  return Number.isInteger(v) || Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
};

function printTable(records) {
  const rows = records.map((r) => {
    const extras = Object.entries(r)
      .filter(([k, v]) => !STANDARD.has(k) && typeof v === 'number')
      .map(([k, v]) => `${k}=${fmt(v)}`);
    return [r.suite, r.case, fmt(r.ours), r.peer, fmt(r.peer_value), r.ratio === null ? '—' : `${fmt(r.ratio)}×`, r.unit,
      [r.note, ...extras].filter(Boolean).join('; ')];
  });
  const header = ['suite', 'case', 'ours', 'peer', 'peer value', 'ours/peer', 'unit', 'details'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 2 || i === 4 || i === 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  rows.forEach((r) => console.log(line(r)));
  // Per peer: how we compare over all cases (higher-is-better units).
  const byPeer = new Map();
  for (const r of records) if (r.ratio !== null) byPeer.set(`${r.suite} vs ${r.peer}`, [...(byPeer.get(`${r.suite} vs ${r.peer}`) ?? []), r.ratio]);
  console.log('');
  for (const [k, ratios] of byPeer) {
    const lo = Math.min(...ratios);
    const hi = Math.max(...ratios);
    console.log(`${k}: ours/peer from ${fmt(lo)}× to ${fmt(hi)}× — ${lo >= 1 ? 'ours faster on every case' : hi < 1 ? 'peer faster on every case' : 'mixed'}`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  ensureNodeModules();
  // tsx is a dependency: loaded only once ensureNodeModules has installed it (a fresh clone has no node_modules).
  ({ tsImport } = await import('tsx/esm/api'));
  const { SUITES } = await tsImport('../src/lab/bench/registry.ts', import.meta.url);
  if (opts.list) {
    for (const s of SUITES) console.log(`${s.name.padEnd(12)} ${s.runtime.padEnd(8)} ${s.description}`);
    return;
  }
  const unknown = opts.suites.filter((n) => !SUITES.some((s) => s.name === n));
  if (unknown.length) throw new Error(`Unknown suite(s) ${unknown.join(', ')}; known: ${SUITES.map((s) => s.name).join(', ')}`);
  const chosen = SUITES.filter((s) => opts.suites.length === 0 || opts.suites.includes(s.name));
  const browserSuites = chosen.filter((s) => s.runtime === 'browser');
  ensureSystemPackages({ needBrowser: browserSuites.length > 0 });

  console.log(`Load average at start: ${load()} on ${navigatorCores()} cores (other work on this machine slows every number)`);
  const records = [];
  const suiteOptions = { quick: opts.quick, cases: opts.cases };
  if (browserSuites.length) await runBrowserSuites(browserSuites, suiteOptions, opts.rebuild, records);
  await runNodeSuites(chosen.filter((s) => s.runtime === 'node'), suiteOptions, records);

  printTable(records);
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, `${JSON.stringify(records, null, 2)}\n`);
  console.log(`\nLoad average at end: ${load()}`);
  console.log(`${records.length} records written to ${opts.out}; total ${((Date.now() - t0) / 1000).toFixed(0)} s${opts.quick ? ' (--quick)' : ''}`);
}

main().catch(async (e) => {
  console.error(`bench failed: ${e instanceof Error ? e.message : e}`);
  await cleanup();
  process.exit(1);
});
