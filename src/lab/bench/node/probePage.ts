/**
 * Node side of the probe pages (src/lab/bench/probe/*.ts) used by the "loading" and "import" suites and by
 * e2e/loading-heap.spec.ts:
 *   - serveProbe(entry): bundles the entry with Vite (the app's bundler; a few seconds, private temp dir) and serves
 *     it with a blank index.html on 127.0.0.1 (a secure context, so WebGPU is available);
 *   - launchProbeBrowser(): headless Chromium with the e2e WebGPU flags and a persistent profile in a temp dir (so
 *     IndexedDB writes go to disk as in the app, not to an incognito in-memory store);
 *   - HeapSampler: the page's JS heap through the DevTools protocol (Runtime.getHeapUsage) every ~50 ms while work
 *     runs. "Heap" = V8 heap used + embedder (Blink) heap + ArrayBuffer backing stores: a 250 MB ArrayBuffer lives
 *     outside V8's heap proper, so usedSize alone would never see a whole-file download.
 */
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '../../../..');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm', '.map': 'application/json' };

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Bundles `entry` (repo-relative) with Vite and serves it; `url` opens a page that runs it. */
export async function serveProbe(entry: string): Promise<Served> {
  const { build } = await import('vite');
  const out = mkdtempSync(join(tmpdir(), 'studio-probe-'));
  await build({
    configFile: false,
    root: ROOT,
    publicDir: false,
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir: out,
      emptyOutDir: true,
      target: 'es2022',
      minify: false,
      sourcemap: false,
      lib: { entry: join(ROOT, entry), formats: ['es'], fileName: () => 'probe.js' },
    },
  });
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      return void res.end('<!doctype html><meta charset="utf-8"><title>probe</title><script type="module" src="/probe.js"></script>');
    }
    const file = normalize(join(out, path));
    try {
      if (!file.startsWith(out)) throw new Error('outside');
      const body = readFileSync(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(out, { recursive: true, force: true });
    },
  };
}

export interface ProbeBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Headless Chromium (CHROMIUM_ARGS of playwright.config.ts) with a throw-away persistent profile. */
export async function launchProbeBrowser(): Promise<ProbeBrowser> {
  const { chromium } = await import('playwright-core');
  const { CHROMIUM_ARGS } = await import('../../../../playwright.config');
  const profile = mkdtempSync(join(tmpdir(), 'studio-probe-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.STUDIO_CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(0);
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the served probe in `page` and waits until the entry has set `window[global]`. */
export async function openProbe(page: Page, served: Served, global: string): Promise<void> {
  page.on('pageerror', (e) => console.log(`  [probe page error] ${e.message}`));
  await page.goto(served.url);
  await page.waitForFunction((g) => (window as unknown as Record<string, unknown>)[g] !== undefined, global);
}

export interface HeapSample {
  /** V8 heap used. */
  used: number;
  embedder: number;
  /** ArrayBuffer backing stores. */
  backing: number;
  total: number;
}

export interface HeapRun<T> {
  result: T;
  baseline: HeapSample;
  /** The sample with the largest total (the last one, taken after the work resolved, included). */
  peak: HeapSample;
  /** Largest V8 heap used alone. */
  peakUsed: number;
  /** Largest JavaScript heap: V8 heap used + ArrayBuffer backing stores (Blink's own heap excluded). */
  peakJs: number;
  samples: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class HeapSampler {
  private constructor(private readonly cdp: CDPSession) {}

  static async attach(page: Page): Promise<HeapSampler> {
    return new HeapSampler(await page.context().newCDPSession(page));
  }

  async sample(): Promise<HeapSample> {
    const h = (await this.cdp.send('Runtime.getHeapUsage')) as { usedSize: number; embedderHeapUsedSize?: number; backingStorageSize?: number };
    const embedder = h.embedderHeapUsedSize ?? 0;
    const backing = h.backingStorageSize ?? 0;
    return { used: h.usedSize, embedder, backing, total: h.usedSize + embedder + backing };
  }

  /** Full garbage collection in the page (so a run starts from what is really live). */
  async collect(): Promise<void> {
    await this.cdp.send('HeapProfiler.collectGarbage');
  }

  /**
   * Collects garbage, then starts `work` and samples every `intervalMs` until it settles, plus once after (what the
   * work returned is still referenced by the page then). Garbage the page makes counts until V8 collects it, as it
   * would in the app.
   */
  async during<T>(work: () => Promise<T>, intervalMs = 50): Promise<HeapRun<T>> {
    await this.collect();
    const baseline = await this.sample();
    let settled = false;
    const running = work().finally(() => (settled = true));
    running.catch(() => {});
    let peak = baseline;
    let peakUsed = baseline.used;
    let peakJs = baseline.used + baseline.backing;
    let samples = 0;
    const take = async () => {
      const s = await this.sample();
      samples++;
      if (s.total > peak.total) peak = s;
      peakUsed = Math.max(peakUsed, s.used);
      peakJs = Math.max(peakJs, s.used + s.backing);
    };
    while (!settled) {
      await take();
      await sleep(intervalMs);
    }
    const result = await running;
    await take();
    return { result, baseline, peak, peakUsed, peakJs, samples };
  }
}

export const MiB = 1 << 20;
