/** Minimal `--flag value` / `--switch` parser for the CLI commands, with errors that name the flag. */
export interface ParsedArgs {
  flags: Map<string, string | true>;
  positional: string[];
}

export function parseArgs(args: string[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else if (i + 1 < args.length && !args[i + 1].startsWith('--')) flags.set(a.slice(2), args[++i]);
      else flags.set(a.slice(2), true);
    } else positional.push(a);
  }
  return { flags, positional };
}

export function requireString(p: ParsedArgs, name: string): string {
  const v = p.flags.get(name);
  if (typeof v !== 'string') throw new Error(`missing --${name} <value>`);
  return v;
}

export function optionalString(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name);
  if (v === true) throw new Error(`--${name} needs a value`);
  return v;
}

export function optionalNumber(p: ParsedArgs, name: string, fallback: number): number {
  const v = p.flags.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === true || !Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${v === true ? 'nothing' : JSON.stringify(v)}`);
  return n;
}
