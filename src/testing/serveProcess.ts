/**
 * `cli serve` as a real child process for tests (`node --import tsx src/cli/main.ts serve … --port 0`): waits for the
 * "Serving … at URL" line, keeps the request log (stderr), and stops it with SIGINT as Ctrl+C would. Node only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './cli';

export interface ServeProcess {
  /** http://127.0.0.1:PORT/v1 */
  url: string;
  child: ChildProcess;
  /** Everything written to stderr so far (one line per request). */
  stderr(): string;
  /** Waits until stderr contains `text` (or fails after `timeoutMs`). */
  waitForLog(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** SIGINT, then the exit code and signal. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startServe(args: string[], timeoutMs = 60_000): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', ...args], {
    cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '', stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const waitFor = (read: () => string, pattern: string | RegExp, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        const text = read();
        if (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)) {
          clearInterval(poll);
          resolve();
        } else if (Date.now() - started > ms || child.exitCode !== null) {
          clearInterval(poll);
          reject(new Error(`serve: no ${String(pattern)} within ${ms} ms (exit ${child.exitCode}); stderr:\n${stderr}`));
        }
      }, 20);
    });
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      const m = /Serving .* at (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1], child,
          stderr: () => stderr,
          waitForLog: (text, ms = 30_000) => waitFor(() => stderr, text, ms),
          stop: () => {
            if (child.exitCode === null) child.kill('SIGINT');
            return exited;
          },
        });
      }
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before it started; stderr:\n${stderr}`));
    });
  });
}
