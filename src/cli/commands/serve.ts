/**
 * `serve`: an OpenAI-compatible HTTP server over the engine — the base model and its PEFT adapters, each under its
 * own model name, for any OpenAI client (the openai packages, curl, the studio's judge). See docs/SERVE.md.
 * The work is in ../serve/: requests.ts (checking bodies), models.ts (prompting and generating), queue.ts (one GPU),
 * server.ts (HTTP, SSE, CORS, cancellation).
 */
import { optionalString, parseArgs, requireString } from '../args.ts';
import { checkFlags, intFlag, resolveTemplate } from '../common.ts';
import { onInterrupt } from '../signals.ts';
import { TEMPLATE_PRESETS } from '../../data/templates.ts';
import { acquireNodeGpu } from '../../node/gpu.ts';
import { ServeModels } from '../serve/models.ts';
import { startServer } from '../serve/server.ts';

export const summary = 'serve a model and its adapters over an OpenAI-compatible HTTP API (--model [--adapter NAME=DIR]…)';

const HELP = `Usage: npm run cli -- serve --model DIR [--adapter NAME=DIR]… [options]
  --model DIR          config.json + *.safetensors + tokenizer.json + tokenizer_config.json
  --name NAME          the base model's name in requests (default: the directory's name)
  --adapter NAME=DIR   a PEFT LoRA adapter (adapter_config.json + adapter_model.safetensors), served as the model
                       "BASE+NAME"; repeat for more. --adapter DIR names it after its directory.
  --host HOST          address to listen on (default 127.0.0.1: this machine only)
  --port N             port (default 8080; 0 = any free port)
  --template NAME|FILE chat template for chat requests: a preset (${TEMPLATE_PRESETS.map((p) => p.id).join(', ')}) or a
                       Jinja file; default: the tokenizer's
  --context N          most tokens of prompt + completion (default: what the model supports)
  --api-key KEY        require "Authorization: Bearer KEY" on every request (default: no key)
  --cors-origin ORIGIN Access-Control-Allow-Origin (default *, so a page such as the studio can call it)
Endpoints: GET /v1/models, POST /v1/chat/completions, POST /v1/completions (stream: true for Server-Sent Events),
GET /health. Requests run one at a time in arrival order; a client that disconnects cancels its request.
Ctrl+C stops the server (in-flight requests are cancelled).`;

const KNOWN = ['help', 'model', 'name', 'host', 'port', 'template', 'context', 'api-key', 'cors-origin'];

/** Every `--adapter NAME=DIR` / `--adapter DIR` (the flag repeats, which parseArgs' map cannot hold), and the rest. */
function takeAdapters(args: string[]): { adapters: { name: string; dir: string }[]; rest: string[] } {
  const adapters: { name: string; dir: string }[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    let value: string | undefined;
    if (args[i] === '--adapter') {
      value = args[i + 1];
      if (value === undefined || value.startsWith('--')) throw new Error('--adapter needs a value: NAME=DIR or DIR');
      i++;
    } else if (args[i].startsWith('--adapter=')) value = args[i].slice('--adapter='.length);
    else {
      rest.push(args[i]);
      continue;
    }
    const eq = value.indexOf('=');
    const dir = eq > 0 ? value.slice(eq + 1) : value;
    const name = eq > 0 ? value.slice(0, eq) : dir.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? '';
    if (!dir) throw new Error(`--adapter ${value}: no directory after "="`);
    adapters.push({ name, dir });
  }
  return { adapters, rest };
}

export async function run(args: string[]): Promise<number> {
  const { adapters, rest } = takeAdapters(args);
  const p = parseArgs(rest);
  if (p.flags.has('help')) {
    console.log(HELP);
    return 0;
  }
  checkFlags(p, KNOWN, 'serve');
  const modelDir = requireString(p, 'model');
  const host = optionalString(p, 'host') ?? '127.0.0.1';
  const port = intFlag(p, 'port', 8080, 0, 65535);
  const context = p.flags.has('context') ? intFlag(p, 'context', 0, 2) : undefined;
  const apiKey = optionalString(p, 'api-key');
  if (apiKey === '') throw new Error('--api-key needs a non-empty key');
  const template = resolveTemplate(optionalString(p, 'template'));

  const acquire = () => acquireNodeGpu({ onNotice: (m) => console.error(m) });
  const models = await ServeModels.open(acquire, { modelDir, name: optionalString(p, 'name'), adapters, template, context });
  const server = await startServer(models, { host, port, apiKey, corsOrigin: optionalString(p, 'cors-origin'), log: (line) => console.error(line) });
  console.log(`Serving ${[...models.models.keys()].join(', ')} (context ${models.context} tokens) at ${server.url}`);
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1' && apiKey === undefined)
    console.error(`note: listening on ${host} without --api-key: anyone who can reach this address can use the model`);

  await new Promise<void>((resolve) => {
    const release = onInterrupt(() => {
      release();
      console.error('shutting down…');
      void server.shutdown().then(resolve);
    });
  });
  models.release();
  console.error('stopped');
  return 0;
}
