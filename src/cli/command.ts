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

/** A wrong command line (unknown flag, missing value): the CLI prints it and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The flags a command knows: those that take a value and those that never do. */
export interface FlagSpec {
  values?: readonly string[];
  booleans?: readonly string[];
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), for "did you mean". */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The known flag closest to a misspelt one, if any is close (or starts with it). */
export function suggestFlag(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dist = k.startsWith(name) || name.startsWith(k) ? Math.min(1, editDistance(name, k)) : editDistance(name, k);
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function unknownFlag(arg: string, known: readonly string[]): UsageError {
  const name = arg.replace(/^-+/, '').split('=')[0];
  const hint = suggestFlag(name, known);
  const list = known.length ? `known flags: ${known.map((k) => `--${k}`).join(', ')}` : 'this command takes no flags';
  return new UsageError(`unknown flag ${arg.split('=')[0]}${hint ? ` (did you mean --${hint}?)` : `; ${list}`}`);
}

/**
 * Flag parser: `--key value`, `--key=value`, `--flag` (boolean) and positionals; `--` ends flags.
 * Every flag must be declared: a misspelt one is a UsageError with a suggestion, never silently
 * ignored (a run with defaults the user did not ask for). Flags in `booleans` never take a value,
 * so `--jupyter 00-smoke` keeps `00-smoke` a positional; flags in `values` always need one.
 */
export function parseFlags(argv: string[], spec: FlagSpec = {}): { flags: Record<string, string | true>; positionals: string[] } {
  const values = spec.values ?? [];
  const booleans = spec.booleans ?? [];
  const known = [...values, ...booleans];
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
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (booleans.includes(name)) {
        if (eq > 0) throw new UsageError(`--${name} takes no value, got ${a}`);
        flags[name] = true;
      } else if (values.includes(name)) {
        if (eq > 0) flags[name] = a.slice(eq + 1);
        else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags[name] = argv[++i];
        else throw new UsageError(`--${name} needs a value`);
      } else throw unknownFlag(a, known);
    } else if (/^-[A-Za-z]/.test(a)) throw unknownFlag(a, known);
    else positionals.push(a);
  }
  return { flags, positionals };
}

/** A flag that takes a value: undefined when absent, an error when given bare (`--run` alone). */
export function stringFlag(flags: Record<string, string | true>, name: string): string | undefined {
  const v = flags[name];
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

/** An integer flag (optionally at least `min`): undefined when absent, an error naming the flag otherwise. */
export function intFlag(flags: Record<string, string | true>, name: string, min?: number): number | undefined {
  const v = stringFlag(flags, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got ${v}`);
  if (min !== undefined && n < min) throw new UsageError(`--${name} must be at least ${min}, got ${v}`);
  return n;
}

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * While long work runs: on Ctrl-C (or SIGTERM, or SIGHUP when the terminal closes) print one line
 * saying what was kept and how to continue, then exit with the shell's code for that signal
 * (130 for Ctrl-C). Exiting through process.exit also runs the 'exit' hooks (lock and temp-dir
 * cleanup), which a default signal death skips. A second Ctrl-C kills at once. Returns the
 * function that removes the handlers.
 */
export function onInterrupt(command: string, kept: () => string): () => void {
  const handler = (sig: NodeJS.Signals) => {
    remove();
    let what: string;
    try {
      what = kept();
    } catch (e) {
      what = `(could not tell what was kept: ${(e as Error).message})`;
    }
    process.stderr.write(`\ninform ${command}: interrupted (${sig}); ${what}\n`);
    process.exit(SIGNAL_EXIT[sig] ?? 1);
  };
  const signals = Object.keys(SIGNAL_EXIT) as NodeJS.Signals[];
  const remove = () => {
    for (const s of signals) process.off(s, handler);
  };
  for (const s of signals) process.on(s, handler);
  return remove;
}
