/// <reference lib="webworker" />
/**
 * The engine Worker: owns the WebGPU device and runs every GPU job (loading, training, generation) off the main
 * thread, so the UI never blocks. Speaks only the protocol in ./protocol.ts.
 */
import { acquireGpu } from '../engine/gpu/device';
import { registerBrowserShaders } from '../engine/gpu/browserShaders';
import { generate } from '../engine/generate';
import { readAdapter, writeAdapter } from '../engine/adapter/peft';
import { runTraining } from '../train/run';
import { Session } from './session';
import type { EngineErrorKind, EngineEvent, EngineRequest } from './protocol';
import { promptIds, stopTokenIds } from '../text/prompt';
import { HubError, ModelFileError, isAbortError } from '../engine/io/errors';
import { setRetryListener } from '../engine/io/retry';
import type { LoadProgress } from '../engine/io/stream';
import { GpuLimitError, WebGpuUnavailableError } from '../engine/gpu/errors';
import { adapterReadme } from './readme';
import { sampleHook, tokenLosses } from './dashboard';
import { cancelExport, handleExport, holdFullRun } from './exporter';

declare const self: DedicatedWorkerGlobalScope;

registerBrowserShaders();
let session: Session | null = null;
let loadAbort: AbortController | null = null;
let genAbort: AbortController | null = null;
let control: 'run' | 'pause' | 'stop' = 'run';
let training = false;
let initializing: Promise<Session> | null = null;

const post = (e: EngineEvent, transfer: Transferable[] = []) => self.postMessage(e, transfer);

function need(): Session {
  if (!session) throw new Error('The GPU is not initialised yet.');
  return session;
}

async function handle(req: EngineRequest): Promise<void> {
  const { id } = req;
  switch (req.type) {
    case 'init': {
      // One acquisition at a time: a second init while the first is pending waits for it.
      initializing ??= (async () => {
        const gpu = await acquireGpu();
        const s = new Session(gpu);
        void gpu.lost.then(async () => {
          const info = await gpu.device.lost;
          if (session === s) session = null;
          post({ id: 0, type: 'deviceLost', message: lostReason(info) });
        });
        return s;
      })().finally(() => (initializing = null));
      session ??= await initializing;
      const g = session.gpu;
      post({ id, type: 'ready', adapter: g.adapter, features: { shaderF16: g.hasF16, subgroups: g.hasSubgroups, timestampQuery: g.hasTimestamps } });
      return;
    }
    case 'simulateDeviceLoss':
      // Bypass Gpu.destroy(), which marks the loss as intentional: this must look like a driver reset.
      session?.gpu.device.destroy();
      return;
    case 'loadModel': {
      if (training) throw new Error('Stop the training run before loading another model.');
      loadAbort?.abort();
      const ac = (loadAbort = new AbortController());
      let last: LoadProgress = { phase: 'headers', file: '', bytesLoaded: 0, bytesTotal: 0, tensorsDone: 0, tensorsTotal: 0, mbPerSec: 0, etaSeconds: null, fromCache: false };
      // Retries of hub requests show under the progress ("attempt 3 of 6"), so a slow failure is not a silent wait.
      const offRetry = setRetryListener((retry) => post({ id, type: 'loadProgress', progress: { ...last, retry } }));
      try {
        const info = await need().load(req.source, ac.signal, (progress) => {
          last = progress;
          post({ id, type: 'loadProgress', progress });
        });
        post({ id, type: 'modelLoaded', info });
      } finally {
        offRetry();
      }
      return;
    }
    case 'cancelLoad':
      loadAbort?.abort();
      return;
    case 'control':
      control = req.action === 'resume' ? 'run' : req.action;
      return;
    case 'train': {
      const s = need();
      const m = s.requireModel();
      if (training) throw new Error('A training run is already in progress.');
      training = true;
      control = 'run';
      s.dropGenerator(); // free its memory for training
      let totalSteps = 0;
      try {
        const result = await runTraining(s.gpu, m.config, m.weights.weights, m.tokenizer, req.examples, { ...req.config, baseModelName: m.info.name }, {
          onPlan: (plan) => {
            totalSteps = plan.totalSteps;
            post({ id, type: 'plan', runId: req.runId, plan });
          },
          onStep: (st) => post({
            id, type: 'step', runId: req.runId, step: st.step, epoch: st.epoch, loss: st.loss, lr: st.lr, gradNorm: st.gradNorm, tokensPerSec: st.tokensPerSec, elapsed: st.elapsed, totalSteps,
            ...(st.split?.answerLoss != null ? { answerLoss: st.split.answerLoss } : {}), ...(st.split?.promptLoss != null ? { promptLoss: st.split.promptLoss } : {}),
          }),
          onEval: (e) => post({ id, type: 'eval', runId: req.runId, ...e }),
          onCheckpoint: (checkpoint) => post({ id, type: 'checkpoint', runId: req.runId, checkpoint }),
          onSample: sampleHook(s, req, (e) => post({ id, ...e })),
          control: () => control,
        }, req.resume);
        if (result.loraConfig) s.adapters.set(req.runId, { config: result.loraConfig, targets: result.targets, values: result.values });
        else if (result.steps > 0) holdFullRun(s, req.runId, result.values);
        post({ id, type: 'trainDone', runId: req.runId, reason: result.reason, steps: result.steps, finalEvalLoss: result.finalEvalLoss });
      } finally {
        training = false;
      }
      return;
    }
    case 'generate': {
      const s = need();
      genAbort?.abort();
      const ac = (genAbort = new AbortController());
      const net = s.generatorFor(req.adapter);
      const m = s.requireModel();
      const tok = m.tokenizer;
      // The same prompt ids and stop set as the CLI (text/prompt.ts).
      const ids = promptIds(tok, req.prompt);
      const eos = stopTokenIds(tok, req.prompt, { configEos: m.config.eosTokenIds, generationConfig: m.info.generationConfig });
      const out: number[] = [];
      let reason: 'eos' | 'stop-string' | 'max-tokens' | 'stopped' = 'max-tokens';
      let shown = '';
      try {
        for await (const t of generate(net, ids, { ...req.sampling, eosIds: eos, signal: ac.signal, decode: (x) => tok.decode(x, { skipSpecialTokens: true }) })) {
          out.push(t.id);
          const text = tok.decode(out, { skipSpecialTokens: true });
          post({ id, type: 'token', text: text.slice(shown.length), tokenId: t.id });
          shown = text;
          if (t.stop) reason = t.stop;
        }
      } catch (e) {
        if (!ac.signal.aborted) throw e;
        reason = 'stopped';
      }
      post({ id, type: 'generateDone', reason, text: shown, promptTokens: ids.length, promptText: tok.decode(ids, { skipSpecialTokens: false }) });
      return;
    }
    case 'tokenLosses': {
      if (training) throw new Error('Wait for the training run to finish to see per-token losses.');
      const r = await tokenLosses(need(), req);
      post({ id, type: 'tokenLosses', ...r }, [r.losses.buffer as ArrayBuffer, ...(r.predicted ? [r.predicted.buffer as ArrayBuffer] : [])]);
      return;
    }
    case 'stopGenerate':
      genAbort?.abort();
      return;
    case 'exportAdapter': {
      const s = need();
      const held = s.adapters.get(req.runId);
      if (!held) throw new Error(`No adapter for run ${req.runId} is loaded.`);
      const files = writeAdapter(held.config, held.targets, held.values);
      post({ id, type: 'adapterFiles', files: { runId: req.runId, configText: files.config, weights: files.weights, readme: adapterReadme(held, s.requireModel().info.name) } }, [files.weights.buffer as ArrayBuffer]);
      return;
    }
    case 'exportModel':
    case 'exportRecipe':
      if (training) throw new Error('Wait for the training run to finish before exporting.');
      await handleExport(need(), req, post);
      return;
    case 'cancelExport':
      cancelExport();
      return;
    case 'loadAdapter': {
      const s = need();
      const adapter = readAdapter(s.requireModel().config, req.configText, req.weights);
      s.adapters.set(req.runId, adapter);
      post({ id, type: 'adapterLoaded', runId: req.runId });
      return;
    }
  }
}

/** The browser's own words for a lost device, with its reason when the words do not already say it. */
function lostReason(info: GPUDeviceLostInfo): string {
  const said = info.message.trim().replace(/\.+$/, '');
  if (!said) return info.reason === 'unknown' ? 'the browser gave no reason' : `${info.reason}.`;
  const showReason = info.reason !== 'unknown' && !said.toLowerCase().includes(info.reason);
  return showReason ? `${said} (${info.reason}).` : `${said}.`;
}

/** What kind of failure this is, for the UI's title (the message itself is already written for the user). */
function classify(e: unknown): { kind: EngineErrorKind; file?: string; reason?: WebGpuUnavailableError['reason'] } {
  if (isAbortError(e)) return { kind: 'cancelled' };
  if (e instanceof HubError) return { kind: e.kind, file: e.file };
  if (e instanceof ModelFileError) return { kind: 'bad-file', file: e.file };
  if (e instanceof WebGpuUnavailableError) return { kind: 'gpu-unavailable', reason: e.reason };
  if (e instanceof GpuLimitError) return { kind: 'gpu-limit' };
  const m = e instanceof Error ? /^(config\.json|tokenizer\.json|tokenizer_config\.json): /.exec(e.message) : null;
  if (m) return { kind: m[1] === 'config.json' ? 'unsupported' : 'bad-file', file: m[1] };
  return { kind: 'other' };
}

self.onmessage = (ev: MessageEvent<EngineRequest>) => {
  const req = ev.data;
  handle(req).catch((e: unknown) => {
    const c = classify(e);
    const message = c.kind === 'cancelled' ? 'Cancelled.' : e instanceof Error ? e.message : String(e);
    post({ id: req.id, type: 'error', message, request: req.type, ...c });
  });
};
