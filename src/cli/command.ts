/** One `inform` sub-command. Each lives in its own file under src/cli/commands/. */
export interface Command {
  /** the word after `inform` */
  name: string;
  /** one line for `inform --help` */
  summary: string;
  /** full usage text for `inform <name> --help` */
  help: string;
  /** runs the command; resolves to the process exit code */
  run(argv: string[]): Promise<number>;
}

/** Minimal flag parser: `--key value`, `--key=value`, `--flag` (boolean) and positionals. */
export function parseFlags(argv: string[]): { flags: Record<string, string | true>; positionals: string[] } {
  const flags: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags[a.slice(2)] = argv[++i];
      else flags[a.slice(2)] = true;
    } else positionals.push(a);
  }
  return { flags, positionals };
}
