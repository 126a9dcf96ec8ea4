/**
 * What `inform notebooks` reports after a run: a table (notebook, seconds, figures written,
 * status), the total time, and whether the caches the notebooks reuse were cold or warm.
 *
 * Cold or warm: the notebooks share their expensive work through `runs/` (transcript stores,
 * per-epoch checkpoints, probe tables; see docs/notebooks.md). The run is *warm* when `runs/`
 * already held such files before it started, *cold* when it held none. The runner's own outputs
 * there (`runs/notebooks/`, `runs/jupyter/`: executed copies and kernelspecs; `runs/browser-test/`:
 * screenshots) do not count.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NotebookResult } from './runner';

/** Folders under runs/ that hold the runner's (and the browser test's) outputs, not reusable work. */
const RUNNER_OUTPUTS = new Set(['notebooks', 'jupyter', 'browser-test']);

/** How much reusable work `runs/` held. */
export interface CacheState {
  state: 'cold' | 'warm';
  /** files under runs/ (runner outputs excluded) */
  files: number;
  bytes: number;
  dir: string;
}

function walk(dir: string, visit: (file: string, st: fs.Stats) => void): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // absent, or removed while we looked
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, visit);
    else if (e.isFile()) {
      try {
        visit(p, fs.statSync(p));
      } catch {
        /* removed while we looked */
      }
    }
  }
}

/** Cold or warm, from what `runsDir` holds right now (call it before the run starts). */
export function cacheState(runsDir: string): CacheState {
  let files = 0;
  let bytes = 0;
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(runsDir);
  } catch {
    /* no runs/ yet: cold */
  }
  for (const name of entries) {
    if (RUNNER_OUTPUTS.has(name)) continue;
    const p = path.join(runsDir, name);
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) {
      walk(p, (_f, s) => {
        files++;
        bytes += s.size;
      });
    } else if (st?.isFile()) {
      files++;
      bytes += st.size;
    }
  }
  return { state: files > 0 ? 'warm' : 'cold', files, bytes, dir: runsDir };
}

/**
 * Where the notebooks keep reusable work for a checkout at `root`: `runs/`, the paper runs when
 * INFORM_PAPER_RUNS moves them elsewhere, the kernels' compile cache (`.cache/tslab`, or
 * INFORM_TSLAB_CACHE_DIR; see src/notebook/tslab-cache.cjs) and the drawn figure images
 * (`.cache/figures`, or INFORM_FIGURE_CACHE_DIR; see figure-render-cache.ts).
 */
export function cacheDirs(root: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const runs = path.join(root, 'runs');
  const dirs = [runs];
  if (env.INFORM_PAPER_RUNS) {
    const paper = path.resolve(root, env.INFORM_PAPER_RUNS);
    if (path.relative(runs, paper).startsWith('..')) dirs.push(paper);
  }
  dirs.push(env.INFORM_TSLAB_CACHE_DIR ? path.resolve(root, env.INFORM_TSLAB_CACHE_DIR) : path.join(root, '.cache', 'tslab'));
  dirs.push(env.INFORM_FIGURE_CACHE_DIR ? path.resolve(root, env.INFORM_FIGURE_CACHE_DIR) : path.join(root, '.cache', 'figures'));
  return dirs;
}

/** Cold or warm over several folders (warm when any holds reusable files); `dir` lists them. */
export function cacheStateOf(dirs: string[]): CacheState {
  const states = dirs.map(cacheState);
  const files = states.reduce((a, s) => a + s.files, 0);
  const bytes = states.reduce((a, s) => a + s.bytes, 0);
  return { state: files > 0 ? 'warm' : 'cold', files, bytes, dir: dirs.join(', ') };
}

/** Size and modification time of every file under `dir`, to tell later which ones were written. */
export function snapshotFiles(dir: string): Map<string, string> {
  const snap = new Map<string, string>();
  walk(dir, (f, st) => snap.set(f, `${st.size}:${st.mtimeMs}`));
  return snap;
}

/** Files present in `after` that are new or changed since `before`, sorted. */
export function writtenSince(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([f, sig]) => before.get(f) !== sig).map(([f]) => f).sort();
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

function human(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** A notebook's status word: ok, FAILED (at which cell) or not run. */
export function statusOf(r: NotebookResult | undefined): string {
  if (!r) return 'not run';
  if (r.ok) return 'ok';
  if (r.failedCell) return `FAILED (${r.failedCell.kind} in code cell ${r.failedCell.codeNumber})`;
  return 'FAILED (setup)';
}

/**
 * The summary printed after a run: one row per notebook (those not run after a failure too),
 * then the total time and the cache state it started from.
 */
export function formatRunSummary(files: readonly string[], results: readonly NotebookResult[], totalSeconds: number, cache: CacheState): string {
  const rows = files.map((f) => {
    const r = results.find((x) => x.path === path.resolve(f));
    return [path.basename(f, '.ipynb'), r ? r.seconds.toFixed(1) : '-', r ? String(r.figuresWritten.length) : '-', statusOf(r)];
  });
  const head = ['notebook', 'seconds', 'figures written', 'status'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, w[i], i === 1 || i === 2)).join('  ').trimEnd();
  const out = [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)];
  const ok = results.filter((r) => r.ok).length;
  out.push('');
  out.push(`total ${totalSeconds.toFixed(1)} s for ${files.length} notebook(s), ${ok} ok`);
  out.push(
    cache.state === 'warm'
      ? `caches: warm (${cache.files} files, ${human(cache.bytes)} under ${cache.dir} before the run; the notebooks reuse what still matches their inputs)`
      : `caches: cold (no transcripts, checkpoints, probe tables or compiled code under ${cache.dir} before the run)`,
  );
  return out.join('\n');
}

/**
 * The files each notebook wrote, one line per figure or table with its formats grouped, e.g.
 * `figures/smoke/toy-training-curve.{svg,png,pdf,csv,json}`; paths relative to `cwd`.
 */
export function formatFiguresWritten(results: readonly NotebookResult[], cwd: string = process.cwd()): string {
  const out: string[] = [];
  for (const r of results) {
    if (r.figuresWritten.length === 0) continue;
    const stems = new Map<string, string[]>();
    for (const f of r.figuresWritten) {
      const rel = path.relative(cwd, f) || f;
      const ext = path.extname(rel);
      const stem = ext ? rel.slice(0, -ext.length) : rel;
      stems.set(stem, [...(stems.get(stem) ?? []), ext.slice(1)]);
    }
    out.push(`${path.basename(r.path, '.ipynb')} wrote ${r.figuresWritten.length} file(s):`);
    for (const [stem, exts] of stems) out.push(`  ${exts.length > 1 ? `${stem}.{${exts.join(',')}}` : `${stem}${exts[0] ? `.${exts[0]}` : ''}`}`);
  }
  return out.join('\n');
}
