/**
 * The project's own notebooks through the headless runner: 00-smoke (imports from src/, trains a
 * tiny tfjs model, shows a plotly figure and a DataFrame, exports SVG+PNG) and 99-dependencies
 * (every library the notebooks need loads inside a tslab kernel).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateNotebook } from '../../src/notebook/nbformat';
import { formatFailure, runNotebook } from '../../src/notebook/runner';
import { expectNoProcesses } from '../notebook/processes';

const root = path.resolve(__dirname, '..', '..');
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'notebooks-smoke-'));
after(() => fs.rmSync(outDir, { recursive: true, force: true }));

for (const name of ['00-smoke', '99-dependencies']) {
  const file = path.join(root, 'notebooks', `${name}.ipynb`);
  const skip = fs.existsSync(file) ? false : `notebooks/${name}.ipynb does not exist yet`;
  test(`notebooks/${name}.ipynb runs headless`, { skip }, async () => {
    const lines: string[] = [];
    // Exports go to a temp folder: figures/ holds the committed figures, which a test must not rewrite.
    const env = { ...process.env, INFORM_FIGURES_DIR: path.join(outDir, 'figures') };
    const r = await runNotebook(file, { outDir, timeoutS: 300, log: (l) => lines.push(l), env });
    const why = r.failedCell ? formatFailure(name, r.failedCell, r.cellCount, r.codeCellCount) : r.setupError ?? '';
    assert.equal(r.ok, true, `${why}\n${lines.join('\n')}`);
    assert.deepEqual(validateNotebook(JSON.parse(fs.readFileSync(r.outPath, 'utf8'))), []);
    assert.ok(r.cells.every((c) => c.ok && c.executionCount !== null));
    console.log(`${name}: kernel ${r.kernelStartSeconds.toFixed(1)} s, total ${r.seconds.toFixed(1)} s`);
    assert.deepEqual(await expectNoProcesses(`inform-kernel-${process.pid}-`), []);
  });
}
