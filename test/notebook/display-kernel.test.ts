// The display helpers inside a real tslab kernel: executes notebooks/00-smoke.ipynb with
// Jupyter's own nbconvert (Debian jupyter-nbconvert) and checks what the outputs carry.
// Skipped when nbconvert is not installed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkoutRoot, kernelSpecFor, KERNEL_NAME } from '../../src/notebook/kernel';
import { browserAvailable, findChromium } from '../../src/plots/index';

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[] | object>;
  ename?: string;
  evalue?: string;
}
interface Notebook {
  cells: Array<{ cell_type: string; outputs?: Output[] }>;
}

const hasNbconvert = spawnSync('jupyter', ['nbconvert', '--version'], { encoding: 'utf8' }).status === 0;
const skip = hasNbconvert ? false : 'jupyter nbconvert not installed (apt-get install jupyter-nbconvert python3-nbclient)';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-display-kernel-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

const joined = (v: string | string[] | object | undefined): string => (Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : '');

test('the smoke notebook runs under nbconvert and its outputs carry the rich representations', { skip, timeout: 300_000 }, () => {
  const dataDir = path.join(work, 'jupyter');
  const specDir = path.join(dataDir, 'kernels', KERNEL_NAME);
  fs.mkdirSync(specDir, { recursive: true });
  fs.writeFileSync(path.join(specDir, 'kernel.json'), JSON.stringify(kernelSpecFor()));
  const figures = path.join(work, 'figures');
  const out = path.join(work, 'executed.ipynb');
  const res = spawnSync(
    'jupyter',
    ['nbconvert', '--to', 'notebook', '--execute', `--ExecutePreprocessor.kernel_name=${KERNEL_NAME}`, '--ExecutePreprocessor.timeout=240', '--output', out, path.join(checkoutRoot(), 'notebooks', '00-smoke.ipynb')],
    { encoding: 'utf8', env: { ...process.env, JUPYTER_DATA_DIR: dataDir, INFORM_FIGURES_DIR: figures }, timeout: 280_000 },
  );
  assert.equal(res.status, 0, `nbconvert failed:\n${res.stderr.slice(-3000)}`);
  const nb = JSON.parse(fs.readFileSync(out, 'utf8')) as Notebook;
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  assert.deepEqual(outputs.filter((o) => o.output_type === 'error'), []);
  const displays = outputs.filter((o) => o.output_type === 'display_data').map((o) => o.data ?? {});

  // The live progress line: one output, updated in place to its final text.
  const progress = displays.filter((d) => joined(d['text/plain']).startsWith('trained 40 steps'));
  assert.equal(progress.length, 1);
  assert.equal(displays.filter((d) => /^step \d+\/40/.test(joined(d['text/plain']))).length, 0, 'no leftover intermediate lines');

  // The figure: plotly JSON + HTML with the bundle inlined once + static SVG when Chromium exists.
  // (the second figure is the pipeline section's collaboration matrix)
  const figs = displays.filter((d) => 'application/vnd.plotly.v1+json' in d);
  assert.equal(figs.length, 2);
  const fig = figs[0];
  const html = joined(fig['text/html']);
  assert.equal(html.split('plotly.js v3').length - 1, 1, 'bundle inlined once');
  assert.equal(joined(figs[1]['text/html']).split('plotly.js v3').length - 1, 0, 'not again in a later figure');
  assert.ok(joined(figs[1]['text/html']).includes('Plotly.newPlot'));
  assert.ok(html.includes('Plotly.newPlot'));
  // nbformat stores JSON mime types as JSON objects, not strings.
  const spec = fig['application/vnd.plotly.v1+json'] as { data: Array<{ name: string; y: number[] }> };
  assert.equal(typeof spec, 'object');
  assert.deepEqual(spec.data.map((t) => t.name), ['cross-entropy loss', 'accuracy']);
  assert.equal(spec.data[0].y.length, 40);
  if (findChromium().path) {
    assert.match(joined(fig['image/svg+xml']), /^<svg[\s>]/);
    assert.ok(html.includes('data:image/svg+xml;base64,'), 'static fallback inside the HTML');
  }

  // The DataFrame as an HTML table.
  const tables = displays.filter((d) => joined(d['text/html']).includes('class="inform-table"'));
  assert.equal(tables.length, 2);
  assert.ok(joined(tables[0]['text/html']).includes('40 rows × 3 columns'));

  // The pipeline section: simulated consortium -> graded transcripts -> two epochs of training.
  // 60 items x (10 experts + the preset's simulated oracle)
  assert.equal(displays.filter((d) => /^660 simulated answers: 660 generated now/.test(joined(d['text/plain']))).length, 1);
  const trainedLine = displays.map((d) => joined(d['text/plain'])).find((t) => t.startsWith('trained 2 epochs'));
  assert.match(trainedLine ?? '', /held-out accuracy [0-9.]+ vs best single expert E\d+ [0-9.]+ and uniform router [0-9.]+ \(simulated consortium\)/);
  assert.ok(joined(tables[1]['text/html']).includes('3 rows × 5 columns'), 'epochs 0, 1, 2');
  // trainOrchestrator's own live line (in a notebook cell it shows one), left at its final state.
  const trainLive = displays.map((d) => joined(d['text/plain'])).filter((t) => /^train \d+\/\d+ steps/.test(t));
  assert.equal(trainLive.length, 1);
  assert.match(trainLive[0], /^train (\d+)\/\1 steps \| epoch 2\/2 done \| loss [0-9.]+ \| held-out acc [0-9.]+/);

  // The exports landed where INFORM_FIGURES_DIR points.
  const smoke = path.join(figures, 'smoke');
  const expected = ['toy-training-curve.csv', 'toy-training-curve.json', 'toy-training-history.csv', 'toy-training-history.json', 'smoke-collaboration-matrix.csv', 'smoke-collaboration-matrix.json'];
  for (const stem of ['toy-training-curve', 'smoke-collaboration-matrix']) {
    for (const ext of browserAvailable() ? ['svg', 'png', 'pdf'] : ['html']) expected.push(`${stem}.${ext}`);
  }
  for (const f of expected) assert.ok(fs.existsSync(path.join(smoke, f)), `${f} written`);
  const csv = fs.readFileSync(path.join(smoke, 'toy-training-history.csv'), 'utf8').split('\n');
  assert.equal(csv[0], 'step,loss,accuracy');
  assert.equal(csv.length, 42, 'header + 40 rows + final newline');
});
