import * as path from 'node:path';
import { parseFlags, type Command } from '../command';
import { figuresBase, resolveNotebookArgs, runNotebooks, type NotebookResult } from '../../notebook/runner';
import { runWithJupyter } from '../../notebook/runner-jupyter';
import { cacheDirs, cacheStateOf, formatFiguresWritten, formatRunSummary } from '../../notebook/run-summary';
import { checkoutRoot } from '../../notebook/kernel';
import { committedFigureData, compareFigureData, currentFigureData, figureGroups, formatFigureCheck, isFigureData } from '../../notebook/figures-check';

/** `inform notebooks`: execute notebooks headlessly, natively or through nbconvert. */
export const command: Command = {
  name: 'notebooks',
  summary: 'execute notebooks headlessly (all of notebooks/ by default)',
  help: [
    'usage: inform notebooks [name-or-path ...] [--timeout <s>] [--out <dir>] [--in-place]',
    '                        [--keep-going] [--jupyter] [--check]',
    '',
    'Runs each notebook on a fresh tslab kernel, cell by cell, and writes the executed copy',
    '(outputs included) to runs/notebooks/<name>.ipynb. Names may be file paths, names in',
    'notebooks/ with or without .ipynb, or a unique prefix ("03"). No names: every',
    'notebooks/*.ipynb in name order.',
    '',
    '  --timeout <s>   per-cell limit in seconds (default 600); the kernel is interrupted, then killed',
    '  --out <dir>     folder for executed copies (default runs/notebooks)',
    '  --in-place      overwrite the input notebooks with the executed ones',
    '  --keep-going    run the remaining notebooks after one fails (exit code is still 1)',
    '  --jupyter       execute with `jupyter nbconvert --execute` instead of the built-in runner',
    '  --check         afterwards, check that the CSV/JSON under figures/ that the run wrote are',
    '                  byte-identical to the committed ones (exit 1 if not)',
    '',
    'Ends with a table (notebook, seconds, figures written, status), the total time, and whether',
    'the caches (runs/: transcripts, checkpoints, probe tables; INFORM_PAPER_RUNS; the kernels\'',
    'compile cache .cache/tslab) were cold or warm.',
    '',
    'Stops at the first failing cell of a notebook, prints the cell number and traceback, saves',
    'the partial notebook, and exits 1.',
  ].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseFlags(argv, { values: ['timeout', 'out'], booleans: ['in-place', 'keep-going', 'jupyter', 'check'] });
    const timeoutS = flags.timeout === undefined ? 600 : Number(flags.timeout);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
      console.error(`inform notebooks: --timeout must be a positive number of seconds, got ${String(flags.timeout)}`);
      return 2;
    }
    if (flags.out === true) {
      console.error('inform notebooks: --out needs a directory');
      return 2;
    }
    const outDir = typeof flags.out === 'string' ? flags.out : undefined;
    let files: string[];
    try {
      files = resolveNotebookArgs(positionals);
    } catch (e) {
      console.error(`inform notebooks: ${(e as Error).message}`);
      return 2;
    }
    if (files.length === 0) {
      console.error('inform notebooks: no notebooks found in notebooks/');
      return 2;
    }
    const keepGoing = flags['keep-going'] === true;
    const t0 = Date.now();
    const cache = cacheStateOf(cacheDirs(checkoutRoot()));
    let results: NotebookResult[] = [];
    if (flags.jupyter === true) {
      if (flags['in-place']) console.error('inform notebooks: --in-place is ignored with --jupyter');
      for (const f of files) {
        const r = await runWithJupyter(f, { outDir, timeoutS });
        results.push(r);
        if (r.setupError && !r.ok && r.setupError.startsWith('jupyter is not on PATH')) {
          console.error(`inform notebooks: ${r.setupError}`);
          return 1;
        }
        if (!r.ok && !keepGoing) break;
      }
    } else {
      results = await runNotebooks(files, { outDir, timeoutS, inPlace: flags['in-place'] === true, keepGoing });
    }
    const failed = results.filter((r) => !r.ok);
    const skipped = files.length - results.length;
    const written = formatFiguresWritten(results);
    if (written) console.log(`\n${written}`);
    console.log(`\n${formatRunSummary(files, results, (Date.now() - t0) / 1000, cache)}`);
    console.log(
      `${results.length - failed.length} of ${files.length} notebook(s) ok` +
        (failed.length ? `; failed: ${failed.map((r) => path.basename(r.path)).join(', ')}` : '') +
        (skipped ? `; not run after the failure: ${skipped}` : ''),
    );
    let checkFailed = false;
    if (flags.check === true) {
      const base = figuresBase();
      const groups = figureGroups(results.flatMap((r) => r.figuresWritten), base);
      const rerun = currentFigureData(base);
      let committed: Map<string, Buffer>;
      try {
        committed = committedFigureData(checkoutRoot());
      } catch (e) {
        console.error(`inform notebooks --check: ${(e as Error).message}`);
        return 1;
      }
      const diffs = compareFigureData(committed, rerun, groups);
      const compared = [...rerun.keys()].filter((f) => groups.has(f.split('/')[0]) && isFigureData(f)).length;
      console.log(formatFigureCheck(diffs, groups, compared));
      checkFailed = diffs.length > 0 || groups.size === 0;
    }
    return failed.length || skipped || checkFailed ? 1 : 0;
  },
};
