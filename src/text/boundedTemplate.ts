/**
 * Chat templates rendered with limits. A template is code from the model repository: `{% for i in range(100000000) %}`
 * used to run for minutes and end the process (browser tab or CLI) in an out-of-memory crash. Rendering here is the
 * same Jinja implementation transformers.js uses (@huggingface/jinja) with the same variables as its
 * apply_chat_template, plus three limits that throw TemplateLimitError naming where the template came from:
 *   - time: RENDER_MS of evaluation (checked every 16 evaluation steps);
 *   - output: no string value longer than 1M characters + 4 × the text given to the template;
 *   - range(): at most MAX_RANGE items (a list is built whole before the loop starts).
 * Rendering is synchronous, so the active limits live in one module variable for the duration of a render.
 */
import { Environment, Interpreter, Template } from '@huggingface/jinja';

export const RENDER_MS = 2000;
export const MAX_RANGE = 100_000;
const BASE_CHARS = 1_000_000;

/** A template went past a limit; the message names the template's source and the limit. */
export class TemplateLimitError extends Error {
  override name = 'TemplateLimitError';
}

interface Budget {
  deadline: number;
  maxChars: number;
  steps: number;
  source: string;
}

let budget: Budget | null = null;

type Evaluate = Interpreter['evaluate'];
const evaluate: Evaluate = Interpreter.prototype.evaluate;
Interpreter.prototype.evaluate = function (this: Interpreter, ...args: Parameters<Evaluate>): ReturnType<Evaluate> {
  const b = budget;
  if (b && (++b.steps & 15) === 0 && performance.now() > b.deadline)
    throw new TemplateLimitError(`${b.source} ran for more than ${RENDER_MS / 1000} s and was stopped (an endless or huge loop?)`);
  const value = evaluate.apply(this, args);
  if (b && typeof value.value === 'string' && value.value.length > b.maxChars)
    throw new TemplateLimitError(`${b.source} produced more than ${b.maxChars.toLocaleString('en-US')} characters and was stopped`);
  if (b && Array.isArray(value.value) && value.value.length > MAX_RANGE)
    throw new TemplateLimitError(`${b.source} built a list of more than ${MAX_RANGE.toLocaleString('en-US')} items and was stopped`);
  return value;
};

/*
 * Python's str.strip / lstrip / rstrip(chars) trim only `chars`; @huggingface/jinja (0.5.x) ignores the argument and
 * trims all whitespace. Qwen3's and SmolLM3's templates call content.lstrip('\n'), so a reply " 4 " lost its leading
 * space token against Python's apply_chat_template (found by src/python/tokenizers.test.ts). Calls with one string
 * argument on a string are answered here; everything else goes to the library unchanged.
 */
const PY_STRIP = new Set(['strip', 'lstrip', 'rstrip']);
interface CallNode { callee: { type: string; computed?: boolean; object?: unknown; property?: { value?: unknown } }; args: unknown[] }
type RtValue = { type: string; value: unknown; constructor: new (v: string) => RtValue };
const proto = Interpreter.prototype as unknown as {
  evaluateCallExpression(expr: CallNode, env: Environment): RtValue;
  evaluate(node: unknown, env: Environment): RtValue;
};
const evaluateCall = proto.evaluateCallExpression;
proto.evaluateCallExpression = function (expr, env) {
  const { callee } = expr;
  const method = callee.property?.value;
  if (callee.type === 'MemberExpression' && !callee.computed && typeof method === 'string' && PY_STRIP.has(method) && expr.args.length === 1) {
    const object = this.evaluate(callee.object, env);
    const chars = this.evaluate(expr.args[0], env);
    if (object.type === 'StringValue' && chars.type === 'StringValue') {
      const trim = new Set(chars.value as string), s = object.value as string;
      let a = 0, b = s.length;
      if (method !== 'rstrip') while (a < b && trim.has(s[a])) a++;
      if (method !== 'lstrip') while (b > a && trim.has(s[b - 1])) b--;
      return new object.constructor(s.slice(a, b));
    }
    // strip(none) and non-strings: the library's behaviour (whitespace).
    if (chars.type === 'NullValue' || chars.type === 'UndefinedValue') return evaluateCall.call(this, { ...expr, args: [] }, env);
  }
  return evaluateCall.call(this, expr, env);
};

/** Python's range(), refusing more than MAX_RANGE items before building them. */
function boundedRange(start: number, stop?: number, step = 1): number[] {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0) throw new Error('range() step must not be zero');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  if (n > MAX_RANGE) throw new TemplateLimitError(`${budget?.source ?? 'the chat template'} asked for range() of ${n.toLocaleString('en-US')} items (at most ${MAX_RANGE.toLocaleString('en-US')}) and was stopped`);
  return Array.from({ length: n }, (_, i) => start + i * step);
}

// The global range() every render's environment gets is swapped for the bounded one while a budget is active.
const set = Environment.prototype.set;
Environment.prototype.set = function (this: Environment, name: string, value: unknown) {
  return set.call(this, name, budget && name === 'range' ? boundedRange : value);
};

const compiled = new Map<string, Template>();

function compile(template: string): Template {
  let t = compiled.get(template);
  if (!t) {
    t = new Template(template);
    if (compiled.size >= 16) compiled.delete(compiled.keys().next().value!);
    compiled.set(template, t);
  }
  return t;
}

function textSize(v: unknown, depth = 0): number {
  if (typeof v === 'string') return v.length;
  if (depth > 4 || v === null || typeof v !== 'object') return 0;
  return Object.values(v).reduce<number>((a, x) => a + textSize(x, depth + 1), 0);
}

/**
 * Renders `template` with `context` (the variables apply_chat_template passes) within the limits. `source` says where
 * the template came from, for messages: "the chat template in tokenizer_config.json".
 */
export function renderBounded(template: string, context: Record<string, unknown>, source: string): string {
  const t = compile(template);
  const outer = budget;
  budget = { deadline: performance.now() + RENDER_MS, maxChars: BASE_CHARS + 4 * textSize(context), steps: 0, source };
  try {
    return t.render(context);
  } catch (e) {
    if (e instanceof RangeError && /string length|array length/i.test(e.message))
      throw new TemplateLimitError(`${source} tried to build a string or list too large for memory and was stopped`);
    throw e;
  } finally {
    budget = outer;
  }
}
