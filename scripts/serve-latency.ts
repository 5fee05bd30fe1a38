/**
 * Latency of `cli serve` for one short completion, as a client sees it over HTTP:
 *   node --import tsx scripts/serve-latency.ts [--model DIR] [--tokens N] [--runs N]
 * Starts the server (a child process on a free port), warms it up with one request, then times `--runs` streamed
 * greedy completions of exactly N tokens: time to the response headers, to the first bytes of the body, to the first
 * text chunk, and to the end. Prints the median and the range of each. Run it alone (wrapped in /work/bin/heavy on a shared machine).
 */
import { join } from 'node:path';
import { ROOT } from '../src/testing/cli.ts';
import { startServe } from '../src/testing/serveProcess.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const modelDir = arg('model', join(ROOT, 'public/models/studio-base'));
const tokens = Number(arg('tokens', '16'));
const runs = Number(arg('runs', '5'));

const server = await startServe(['--model', modelDir]);
const list = (await (await fetch(`${server.url}/models`)).json()) as { data: { id: string }[] };
const body = JSON.stringify({ model: list.data[0].id, prompt: 'The old man', max_tokens: tokens, temperature: 0, stream: true, ignore_eos: true });

async function once(): Promise<{ headers: number; firstByte: number; firstText: number; total: number; chunks: number }> {
  const t0 = performance.now();
  const res = await fetch(`${server.url}/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  const headers = performance.now() - t0;
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let firstByte = 0, firstText = 0, chunks = 0, text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!firstByte) firstByte = performance.now() - t0;
    text += decoder.decode(value, { stream: true });
    const texts = [...text.matchAll(/"text":"((?:[^"\\]|\\.)+)"/g)];
    if (texts.length && !firstText) firstText = performance.now() - t0;
    chunks = texts.length;
  }
  return { headers, firstByte, firstText, total: performance.now() - t0, chunks };
}

try {
  await once();
  const samples: Awaited<ReturnType<typeof once>>[] = [];
  for (let i = 0; i < runs; i++) samples.push(await once());
  const stat = (k: 'headers' | 'firstByte' | 'firstText' | 'total') => {
    const v = samples.map((s) => s[k]).sort((a, b) => a - b);
    return `${v[Math.floor(v.length / 2)].toFixed(0)} ms (${v[0].toFixed(0)}–${v[v.length - 1].toFixed(0)})`;
  };
  console.log(`cli serve, ${modelDir}, ${tokens}-token greedy streamed completion, ${runs} runs after one warm-up:`);
  console.log(`  response headers:     ${stat('headers')}`);
  console.log(`  first body bytes:     ${stat('firstByte')}`);
  console.log(`  first text chunk:     ${stat('firstText')}`);
  console.log(`  whole response:       ${stat('total')}`);
  console.log(`  server log: ${server.stderr().trim().split('\n').at(-1)}`);
} finally {
  await server.stop();
}
