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

/**
 * Minimal flag parser: `--key value`, `--key=value`, `--flag` (boolean) and positionals. Flags
 * named in `booleans` never take a value, so `--jupyter 00-smoke` keeps `00-smoke` a positional.
 */
export function parseFlags(argv: string[], booleans: readonly string[] = []): { flags: Record<string, string | true>; positionals: string[] } {
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
      else if (booleans.includes(a.slice(2))) flags[a.slice(2)] = true;
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags[a.slice(2)] = argv[++i];
      else flags[a.slice(2)] = true;
    } else positionals.push(a);
  }
  return { flags, positionals };
}

/** A flag that takes a value: undefined when absent, an error when given bare (`--run` alone). */
export function stringFlag(flags: Record<string, string | true>, name: string): string | undefined {
  const v = flags[name];
  if (v === true) throw new Error(`--${name} needs a value`);
  return v;
}

/** An integer flag (optionally at least `min`): undefined when absent, an error naming the flag otherwise. */
export function intFlag(flags: Record<string, string | true>, name: string, min?: number): number | undefined {
  const v = stringFlag(flags, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got ${v}`);
  if (min !== undefined && n < min) throw new Error(`--${name} must be at least ${min}, got ${v}`);
  return n;
}
