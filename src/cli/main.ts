/**
 * `npm run cli -- <command> [options]` (= `node --import tsx src/cli/main.ts`). Each command lives in
 * ./commands/NAME.ts and exports `summary` (one line for the help) and `run(args): Promise<number>` (the exit code).
 * Ctrl+C and SIGTERM are handled here for every command (./signals.ts); errors are printed as one line.
 */
import { installSignalHandlers } from './signals.ts';
import { describeError } from './errors.ts';

installSignalHandlers();
const COMMANDS = ['train', 'generate', 'grads', 'labels', 'pretrain', 'export', 'export-recipe', 'serve', 'eval'] as const;

interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}

async function load(name: string): Promise<Command | null> {
  try {
    return (await import(`./commands/${name}.ts`)) as Command;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(`commands/${name}`)) return null;
    throw e;
  }
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === 'help') {
    console.log('Usage: npm run cli -- <command> [options]\n\nCommands:');
    for (const c of COMMANDS) {
      const cmd = await load(c);
      if (cmd) console.log(`  ${c.padEnd(10)} ${cmd.summary}`);
    }
    console.log('\nRun a command with --help for its options.');
    return 0;
  }
  const cmd = (COMMANDS as readonly string[]).includes(name) ? await load(name) : null;
  if (!cmd) {
    console.error(`Unknown command "${name}". Run: npm run cli -- --help`);
    return 2;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`error: ${describeError(e)}`);
    process.exit(1);
  },
);
