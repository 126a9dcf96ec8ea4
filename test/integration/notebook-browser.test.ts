/**
 * The real-browser test: an executed notebook, served by Debian's Jupyter Notebook on loopback,
 * opened by headless Chromium (playwright-core) with every request outside loopback blocked.
 * Passes when plotly drew each figure in the page (its SVG nodes exist) from the plotly.js the
 * notebook itself carries; saves a screenshot under runs/browser-test/ (a CI artifact).
 * Skips, saying why, when jupyter-notebook or a Chromium is missing.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { runNotebook, formatFailure } from '../../src/notebook/runner';
import { findOnPath } from '../../src/notebook/runner-jupyter';
import { locateBrowser, browserAvailable } from '../../src/plots/index';

const root = path.resolve(__dirname, '..', '..');
const fixture = path.join(__dirname, 'fixtures', 'figures.ipynb');
const screenshotDir = path.join(root, 'runs', 'browser-test');
const notebookBin = findOnPath('jupyter-notebook');
const skip = !notebookBin
  ? 'jupyter-notebook is not installed (apt-get install --no-install-recommends jupyter-notebook)'
  : !browserAvailable()
    ? 'no Chromium for the browser (apt-get install chromium, or npm ci for @sparticuz/chromium)'
    : false;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-browser-test-'));
let server: ChildProcess | null = null;
let browser: Browser | null = null;
after(async () => {
  await browser?.close().catch(() => undefined);
  if (server?.pid && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Loopback only: the page may talk to the local Jupyter server and nothing else. */
function isLoopback(url: string): boolean {
  const u = new URL(url);
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
  return ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
}

test('Jupyter Notebook serves an executed notebook and headless Chromium shows its plotly figures, offline', { skip, timeout: 300_000 }, async () => {
  // 1. Execute the fixture with the project's runner (no static fallback image: every <svg> in
  //    the page must then come from plotly drawing the figure in the browser).
  const nbDir = path.join(work, 'notebooks');
  const lines: string[] = [];
  const r = await runNotebook(fixture, { outDir: nbDir, timeoutS: 240, log: (l) => lines.push(l), env: { ...process.env, INFORM_FIGURE_STATIC: 'none' } });
  assert.equal(r.ok, true, (r.failedCell ? formatFailure('figures', r.failedCell, r.cellCount, r.codeCellCount) : r.setupError ?? '') + '\n' + lines.join('\n'));

  // 2. A private Jupyter: config, data (the trust database) and runtime folders in the temp dir.
  const env = {
    ...process.env,
    JUPYTER_CONFIG_DIR: path.join(work, 'config'),
    JUPYTER_DATA_DIR: path.join(work, 'data'),
    JUPYTER_RUNTIME_DIR: path.join(work, 'runtime'),
    JUPYTER_PATH: path.join(work, 'data'),
    IPYTHONDIR: path.join(work, 'ipython'),
  };
  // Outputs of an untrusted notebook are shown without their scripts; the user who ran it trusts it.
  // (Debian ships no `jupyter trust` command; this is what it does: sign into the trust database.)
  const sign = 'import sys, nbformat\nfrom nbformat.sign import NotebookNotary\nNotebookNotary().sign(nbformat.read(sys.argv[1], as_version=4))';
  // The Python that runs jupyter-notebook (its shebang), which has nbformat; not whatever python3 is first on PATH.
  const python = /^#!\s*(\S+)/.exec(fs.readFileSync(notebookBin!, 'utf8').split('\n')[0])?.[1] ?? 'python3';
  const trust = spawnSync(python, ['-c', sign, path.join(nbDir, 'figures.ipynb')], { env, encoding: 'utf8' });
  assert.equal(trust.status, 0, trust.stderr);

  const port = await freePort();
  const token = `inform-${process.pid}-${Date.now()}`;
  server = spawn(
    notebookBin!,
    ['--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0', `--NotebookApp.token=${token}`, `--notebook-dir=${nbDir}`, '--allow-root'],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let serverLog = '';
  server.stdout?.on('data', (b: Buffer) => (serverLog += b.toString()));
  server.stderr?.on('data', (b: Buffer) => (serverLog += b.toString()));
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${base}/api/status?token=${token}`).then((res) => res.ok, () => false);
    if (ok) break;
    assert.ok(Date.now() < until && server.exitCode === null, `jupyter-notebook did not come up on ${base}:\n${serverLog}`);
    await new Promise((res) => setTimeout(res, 300));
  }

  // 3. Headless Chromium, every request outside loopback aborted (and recorded).
  const choice = await locateBrowser();
  assert.ok(!('missing' in choice), JSON.stringify(choice));
  browser = await chromium.launch({ executablePath: choice.path, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', ...choice.extraArgs], env: { ...process.env, ...choice.env } });
  const context = await browser.newContext({ viewport: { width: 1280, height: 1600 } });
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${base}/notebooks/figures.ipynb?token=${token}`, { waitUntil: 'domcontentloaded' });

  // 4. plotly drew both figures: each has its main <svg> with the trace layer inside.
  await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('.js-plotly-plot svg.main-svg').length >= 2, undefined, { timeout: 90_000 });
  const figures = await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ querySelector(s: string): unknown; querySelectorAll(s: string): { length: number }; textContent: string | null }> } }).document;
    return Array.from(doc.querySelectorAll('.js-plotly-plot')).map((el) => ({
      svgs: el.querySelectorAll('svg.main-svg').length,
      heatmap: el.querySelector('.hm') !== null || el.querySelector('.heatmaplayer') !== null,
      lines: el.querySelectorAll('.scatterlayer .trace').length,
      text: el.textContent ?? '',
    }));
  });
  fs.mkdirSync(screenshotDir, { recursive: true });
  const shot = path.join(screenshotDir, 'notebook-figures.png');
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${path.relative(root, shot)}; requests blocked outside loopback: ${blocked.length}${blocked.length ? ` (${[...new Set(blocked.map((u) => new URL(u).host))].join(', ')})` : ''}`);

  assert.equal(figures.length, 2, JSON.stringify(figures));
  assert.ok(figures.every((f) => f.svgs >= 1), 'each figure has plotly SVG nodes');
  assert.ok(figures[0].text.includes('Collaboration matrix C (browser test)') && figures[0].heatmap, 'the heatmap was drawn');
  assert.ok(figures[1].text.includes('routing entropy (nats)') && figures[1].lines === 2, 'both lines were drawn');
  assert.deepEqual(pageErrors.filter((e) => /plotly|Plotly/.test(e)), [], 'no plotly error in the page');
  assert.ok(fs.statSync(shot).size > 10_000, 'a real screenshot');
});
