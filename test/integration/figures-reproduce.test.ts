/**
 * `npm run reproduce -- --check` on one notebook: re-running 00-smoke with the same seeds writes
 * CSV/JSON byte-identical to the committed figures/smoke/, and the runner's summary lists it.
 * The run writes into a temporary INFORM_FIGURES_DIR, so the committed files are only read.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-reproduce-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));
const smoke = path.join(root, 'notebooks', '00-smoke.ipynb');
const committed = path.join(root, 'figures', 'smoke');
const skip = !fs.existsSync(smoke) ? 'notebooks/00-smoke.ipynb does not exist' : !fs.existsSync(committed) ? 'figures/smoke is not committed' : false;

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'inform.cjs'), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

test('re-running 00-smoke writes CSV/JSON byte-identical to the committed figures (inform notebooks --check)', { skip, timeout: 600_000 }, async () => {
  const figures = path.join(work, 'figures');
  const { code, out } = await cli(['notebooks', '00-smoke', '--check', '--out', path.join(work, 'executed')], { INFORM_FIGURES_DIR: figures });
  assert.equal(code, 0, out);
  const data = fs.readdirSync(path.join(figures, 'smoke')).filter((f) => /\.(csv|json)$/.test(f));
  assert.ok(data.length >= 6, `the run wrote its data files: ${data.join(', ')}`);
  assert.match(out, new RegExp(`check: ${data.length} CSV/JSON file\\(s\\) in figures/smoke/ are byte-identical to the committed ones`));
  // The summary: one row with seconds, the number of files the notebook wrote, and its status.
  const written = fs.readdirSync(path.join(figures, 'smoke')).length;
  assert.match(out, new RegExp(`^00-smoke +\\d+\\.\\d +${written} +ok$`, 'm'), out);
  assert.match(out, /^total \d+\.\d s for 1 notebook\(s\), 1 ok$/m);
  assert.match(out, /^caches: (cold|warm) /m);
  // The executed copy has execution counts 1..n (Jupyter shows In [1], In [2], ...).
  const nb = JSON.parse(fs.readFileSync(path.join(work, 'executed', '00-smoke.ipynb'), 'utf8')) as { cells: Array<{ cell_type: string; execution_count?: number | null }> };
  const counts = nb.cells.filter((c) => c.cell_type === 'code').map((c) => c.execution_count);
  assert.deepEqual(counts, counts.map((_, i) => i + 1));
  console.log(out.split('\n').filter((l) => /^(00-smoke|total|caches|check)/.test(l)).join('\n'));

  // And the check fails, naming the file and line, when the data differs from the commit.
  const csv = path.join(figures, 'smoke', 'toy-training-history.csv');
  fs.writeFileSync(csv, fs.readFileSync(csv, 'utf8').replace(/\n1,/, '\n1.5,'));
  const { compareFigureData, committedFigureData, currentFigureData } = await import('../../src/notebook/figures-check');
  const diffs = compareFigureData(committedFigureData(root), currentFigureData(figures), new Set(['smoke']));
  assert.deepEqual(diffs.map((d) => [d.file, d.kind, d.firstDifference?.line]), [['smoke/toy-training-history.csv', 'changed', 2]]);
});
