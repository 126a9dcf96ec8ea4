/**
 * `inform notebooks --check` (`npm run reproduce -- --check`): after a re-run, the data behind
 * every figure (CSV and JSON under figures/) must be byte-identical to the committed files.
 * Images are not compared: PDFs carry a creation date and rasterisation may differ between
 * Chromium builds, while the data is what a reader re-plots and what the seeds fix.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One data file that differs from its committed version. */
export interface FigureDifference {
  /** path relative to the figures folder, e.g. 'smoke/toy-training-curve.csv' */
  file: string;
  kind: 'changed' | 'missing' | 'not committed';
  /** for 'changed': the first differing line, committed and re-run */
  firstDifference?: { line: number; committed: string; rerun: string };
}

/** Whether a figures-relative path is figure data the check compares. */
export function isFigureData(rel: string): boolean {
  return /\.(csv|json)$/.test(rel) && !rel.includes('.tmp-');
}

function firstDifference(a: Buffer, b: Buffer): FigureDifference['firstDifference'] {
  const x = a.toString('utf8').split('\n');
  const y = b.toString('utf8').split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) {
      const cut = (s: string | undefined) => (s === undefined ? '(end of file)' : s.length > 160 ? `${s.slice(0, 160)}...` : s);
      return { line: i + 1, committed: cut(x[i]), rerun: cut(y[i]) };
    }
  }
  return undefined;
}

/**
 * Compares re-run data files with the committed ones, within `groups` (figure folders such as
 * 'smoke'; the folders the run wrote into). `committed` and `rerun` map figures-relative paths to
 * contents. Pure: the git and filesystem reads are the caller's.
 */
export function compareFigureData(committed: ReadonlyMap<string, Buffer>, rerun: ReadonlyMap<string, Buffer>, groups: ReadonlySet<string>): FigureDifference[] {
  const inGroups = (f: string) => groups.has(f.split('/')[0]);
  const out: FigureDifference[] = [];
  for (const [file, want] of [...committed].sort(([a], [b]) => a.localeCompare(b))) {
    if (!inGroups(file) || !isFigureData(file)) continue;
    const got = rerun.get(file);
    if (!got) out.push({ file, kind: 'missing' });
    else if (!got.equals(want)) out.push({ file, kind: 'changed', firstDifference: firstDifference(want, got) });
  }
  for (const file of [...rerun.keys()].sort()) {
    if (inGroups(file) && isFigureData(file) && !committed.has(file)) out.push({ file, kind: 'not committed' });
  }
  return out;
}

function git(root: string, args: string[], encoding: 'buffer' | 'utf8' = 'utf8') {
  return spawnSync('git', ['-C', root, ...args], { encoding: encoding === 'buffer' ? 'buffer' : 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/**
 * The committed data files under `figures/` of the checkout at `root` (from git's HEAD), keyed
 * relative to figures/. Throws when `root` is not a git checkout (nothing to compare against).
 */
export function committedFigureData(root: string): Map<string, Buffer> {
  const ls = git(root, ['ls-tree', '-r', '-z', '--name-only', 'HEAD', '--', 'figures/']);
  if (ls.status !== 0) {
    throw new Error(`--check compares with the committed figures, but ${root} is not a git checkout with a HEAD (${String(ls.stderr).trim()})`);
  }
  const out = new Map<string, Buffer>();
  for (const file of String(ls.stdout).split('\0').filter(Boolean)) {
    const rel = file.slice('figures/'.length);
    if (!isFigureData(rel)) continue;
    const blob = git(root, ['cat-file', 'blob', `HEAD:${file}`], 'buffer');
    if (blob.status !== 0) throw new Error(`git could not read HEAD:${file}: ${String(blob.stderr).trim()}`);
    out.set(rel, blob.stdout as unknown as Buffer);
  }
  return out;
}

/** The data files now under a figures folder, keyed relative to it. */
export function currentFigureData(figuresDir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const rel = path.relative(figuresDir, p).split(path.sep).join('/');
        if (isFigureData(rel)) out.set(rel, fs.readFileSync(p));
      }
    }
  };
  if (fs.existsSync(figuresDir)) walk(figuresDir);
  return out;
}

/** The figure folders (first path component under the figures folder) that `files` lie in. */
export function figureGroups(files: readonly string[], figuresDir: string): Set<string> {
  const groups = new Set<string>();
  for (const f of files) {
    const rel = path.relative(figuresDir, f);
    if (!rel.startsWith('..') && rel.includes(path.sep)) groups.add(rel.split(path.sep)[0]);
  }
  return groups;
}

/** The check's report: 'ok' lines or one line per difference. */
export function formatFigureCheck(diffs: readonly FigureDifference[], groups: ReadonlySet<string>, compared: number): string {
  const where = [...groups].sort().map((g) => `figures/${g}/`).join(', ') || '(no figure folder was written)';
  if (diffs.length === 0) return `check: ${compared} CSV/JSON file(s) in ${where} are byte-identical to the committed ones`;
  const lines = [`check: ${diffs.length} CSV/JSON file(s) in ${where} differ from the committed ones:`];
  for (const d of diffs) {
    lines.push(`  ${d.kind}: figures/${d.file}`);
    if (d.firstDifference) {
      lines.push(`    line ${d.firstDifference.line}, committed: ${d.firstDifference.committed}`);
      lines.push(`    line ${d.firstDifference.line}, re-run:    ${d.firstDifference.rerun}`);
    }
  }
  return lines.join('\n');
}
