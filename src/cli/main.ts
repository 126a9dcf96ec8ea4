import { UsageError, type Command } from './command';

/**
 * Sub-commands, loaded lazily so `inform --help` stays fast and a command's heavy
 * dependencies (tfjs, node-llama-cpp) load only when that command runs.
 */
const COMMANDS: Record<string, () => Command> = {
  notebooks: () => require('./commands/notebooks').command,
  kernel: () => require('./commands/kernel').command,
  data: () => require('./commands/data').command,
  generate: () => require('./commands/generate').command,
  train: () => require('./commands/train').command,
  probe: () => require('./commands/probe').command,
};

function available(): Command[] {
  const out: Command[] = [];
  for (const load of Object.values(COMMANDS)) {
    try {
      out.push(load());
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
  return out;
}

export function usage(): string {
  const lines = available().map((c) => `  ${c.name.padEnd(11)} ${c.summary}`);
  return ['usage: inform <command> [options]', '', 'commands:', ...lines, '', 'inform <command> --help for details'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 1;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`inform: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const cmd = load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    // A wrong command line is the user's to fix: say what and where to look, exit 2 (no stack).
    if (!(e instanceof UsageError)) throw e;
    console.error(`inform ${name}: ${e.message}\n(inform ${name} --help for usage)`);
    return 2;
  }
}
