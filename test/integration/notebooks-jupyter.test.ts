/**
 * Jupyter compatibility: the same notebooks execute under `jupyter nbconvert --execute` with the
 * tslab kernelspec this project writes. Skipped (with the install command) when jupyter is absent.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { readNotebook, validateNotebook, joinText, type CodeCell } from '../../src/notebook/nbformat';
import { failureLog, findOnPath, kernelErrorLines, runWithJupyter } from '../../src/notebook/runner-jupyter';
import { expectNoProcesses, processesWithEnv } from '../notebook/processes';

const root = path.resolve(__dirname, '..', '..');
const jupyter = findOnPath('jupyter');
const skip = jupyter ? false : 'jupyter is not on PATH (apt-get install jupyter-nbconvert python3-nbclient python3-ipykernel)';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nbconvert-test-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

/**
 * Runs under nbconvert. nbclient names the connection file itself (a random temp file), so the
 * run's kernels are recognised by a marker variable they inherit through the environment.
 * `r.ok` is false when nbconvert fails and also when the kernel reported an error of its own on
 * stderr (nbconvert exits 0 when the kernel crashes after the last cell, at shutdown).
 */
async function viaJupyter(nb: string, name: string, env: NodeJS.ProcessEnv = {}) {
  const marker = `${process.pid}-${name}`;
  const lines: string[] = [];
  // Figures go under the test's folder, not over the committed figures/.
  const r = await runWithJupyter(nb, { outDir: path.join(work, name), timeoutS: 300, log: (l) => lines.push(l), env: { INFORM_FIGURES_DIR: path.join(work, name, 'figures'), ...env, INFORM_TEST_RUN: marker } });
  assert.deepEqual(await expectNoProcesses(`INFORM_TEST_RUN=${marker}`, 5000, processesWithEnv), [], 'nbconvert left a kernel running');
  return { r, log: lines.join('\n') };
}

test('nbconvert executes a fixture notebook with the tslab kernel', { skip }, async () => {
  const { r, log } = await viaJupyter(path.join(root, 'test', 'fixtures', 'notebooks', 'ok.ipynb'), 'ok');
  assert.equal(r.ok, true, log);
  assert.deepEqual(validateNotebook(JSON.parse(fs.readFileSync(r.outPath, 'utf8'))), []);
  const cells = readNotebook(r.outPath).cells.filter((c): c is CodeCell => c.cell_type === 'code');
  const text = cells.map((c) => c.outputs.map((o) => (o.output_type === 'stream' ? joinText(o.text) : '')).join('')).join('|');
  assert.equal(text, 'hello from tslab\n|32\n');
  // tslab sent no execute_input, so nbconvert saved every count as null (In [ ] in Jupyter);
  // the kernel launcher now announces each cell's number (src/notebook/execute-input.cjs).
  assert.deepEqual(cells.map((c) => c.execution_count), [1, 2]);
});

test('nbconvert fails on the failing fixture with the error message', { skip }, async () => {
  const { r, log } = await viaJupyter(path.join(root, 'test', 'fixtures', 'notebooks', 'failing.ipynb'), 'failing');
  assert.equal(r.ok, false);
  assert.match(log, /CellExecutionError/);
  assert.match(log, /explode\(\)/, 'nbconvert names the failing cell by its source');
});

test('kernel errors on stderr are recognised: Node\'s fatal report and tslab\'s last-resort handlers, not nbconvert\'s own lines', () => {
  // What nbconvert printed for 00-smoke.ipynb before the exporter fix (path shortened).
  const crash = [
    '[NbConvertApp] Converting notebook notebooks/00-smoke.ipynb to notebook',
    "Error: ENOTEMPTY: directory not empty, rmdir '/tmp/inform-chromium-Ab12Cd/Default'",
    '    at rmdirSync (node:internal/fs/rimraf:211:11)',
    "  code: 'ENOTEMPTY',",
    '[NbConvertApp] Writing 51234 bytes to runs/notebooks/00-smoke.ipynb',
  ].join('\n');
  assert.deepEqual(kernelErrorLines(crash), ["Error: ENOTEMPTY: directory not empty, rmdir '/tmp/inform-chromium-Ab12Cd/Default'"]);
  assert.equal(kernelErrorLines('UncaughtException: TypeError: x is not a function\nUnhandledPromiseRejection: Error: y').length, 2);
  assert.deepEqual(kernelErrorLines('[NbConvertApp] Writing 1385 bytes to out/ok.ipynb\n[NbConvertApp] Converting notebook ok.ipynb'), []);
});

test("a failed run's log keeps the kernel's own errors that nbconvert's traceback pushed out of the tail", () => {
  const traceback = Array.from({ length: 50 }, (_, i) => `  File "nbclient/client.py", line ${i}`);
  const output = ['[NbConvertApp] Converting notebook export.ipynb to notebook', 'UncaughtException: Error: Address already in use', ...traceback, "RuntimeError: Kernel didn't respond in 120 seconds"].join('\n');
  const log = failureLog(output).split('\n');
  assert.deepEqual(log.slice(0, 3), ['kernel errors before the last 40 lines:', 'UncaughtException: Error: Address already in use', '...']);
  assert.equal(log.length, 3 + 40);
  assert.equal(log[log.length - 1], "RuntimeError: Kernel didn't respond in 120 seconds");
  // nothing earlier to add: the tail alone, as before
  assert.equal(failureLog(traceback.join('\n')), traceback.slice(-40).join('\n'));
});

test('a kernel error on stderr fails the run although nbconvert exits 0', { skip }, async () => {
  const { r, log } = await viaJupyter(path.join(root, 'test', 'fixtures', 'notebooks', 'kernel-stderr-error.ipynb'), 'stderr-error');
  assert.equal(r.ok, false, log);
  assert.match(r.setupError!, /^the kernel reported an error on stderr: Error: ENOTEMPTY/);
});

test('nbconvert runs a notebook that exports a figure: the kernel shuts down with Chromium, without an error', { skip }, async () => {
  // A private temp folder: the kernel's Chromium profile goes there, and must be gone afterwards.
  // The marker is inherited by Chromium too, so the process check covers the browser.
  const tmp = path.join(work, 'export-tmp');
  fs.mkdirSync(tmp);
  const { r, log } = await viaJupyter(path.join(root, 'test', 'fixtures', 'notebooks', 'export.ipynb'), 'export', { TMPDIR: tmp });
  assert.equal(r.ok, true, log);
  const out = readNotebook(r.outPath).cells.filter((c): c is CodeCell => c.cell_type === 'code');
  assert.match(JSON.stringify(out[0].outputs), /svg rendered/);
  assert.deepEqual(fs.readdirSync(tmp).filter((n) => n.startsWith('inform-')), [], 'the kernel left its Chromium profile (or another temp folder) behind');
});

const smoke = path.join(root, 'notebooks', '00-smoke.ipynb');
test('nbconvert executes notebooks/00-smoke.ipynb', { skip: skip || (fs.existsSync(smoke) ? false : 'notebooks/00-smoke.ipynb does not exist yet') }, async () => {
  const { r, log } = await viaJupyter(smoke, 'smoke');
  assert.equal(r.ok, true, log);
  assert.deepEqual(validateNotebook(JSON.parse(fs.readFileSync(r.outPath, 'utf8'))), []);
});

/** Starts `inform notebooks --jupyter hung.ipynb`, waits until the kernel spins in cell 2, sends `sig`. */
async function signalJupyterRun(sig: 'SIGTERM' | 'SIGKILL'): Promise<{ code: number | null; out: string; marker: string }> {
  const marker = `${process.pid}-${sig}`;
  const cli = spawn(process.execPath, [path.join(root, 'bin', 'inform.cjs'), 'notebooks', '--jupyter', path.join(root, 'test', 'fixtures', 'notebooks', 'hung.ipynb'), '--out', path.join(work, sig)], {
    cwd: root,
    env: { ...process.env, INFORM_TEST_RUN: marker, INFORM_TEST_MARKER: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  cli.stdout.on('data', (b: Buffer) => (out += b.toString()));
  cli.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => cli.on('exit', (code) => r(code)));
  // Wait until the hung fixture's first cell has started its child (the kernel is then busy in cell 2).
  const until = Date.now() + 90_000;
  while (!processesWithEnv(`INFORM_TEST_RUN=${marker}`).some((l) => l.includes('setTimeout')) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  assert.ok(processesWithEnv(`INFORM_TEST_RUN=${marker}`).some((l) => l.includes('kernel-launch')), `no kernel started:\n${out}`);
  cli.kill(sig);
  return { code: await exited, out, marker };
}

/** SIGKILLs what a failed check left (so a failing test leaves nothing behind either). */
function killMarked(marker: string): void {
  for (const line of processesWithEnv(`INFORM_TEST_RUN=${marker}`)) {
    try {
      process.kill(Number(line.split(':')[0]), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

test('SIGTERM to `inform notebooks --jupyter` stops nbconvert, its kernel and what the kernel started', { skip, timeout: 120_000 }, async () => {
  const { code, out, marker } = await signalJupyterRun('SIGTERM');
  try {
    assert.equal(code, 143, out);
    assert.deepEqual(await expectNoProcesses(`INFORM_TEST_RUN=${marker}`, 10_000, processesWithEnv), [], 'nbconvert, its kernel or the cell\'s child survived');
  } finally {
    killMarked(marker);
  }
});

test('SIGKILL to `inform notebooks --jupyter`: nbconvert is interrupted by the parent-death signal and stops its kernel', { skip, timeout: 150_000 }, async () => {
  const { marker } = await signalJupyterRun('SIGKILL');
  try {
    // nbconvert interrupts, asks for shutdown, then SIGTERM and SIGKILL after its 5 s wait.
    assert.deepEqual(await expectNoProcesses(`INFORM_TEST_RUN=${marker}`, 30_000, processesWithEnv), [], 'nbconvert, its kernel or the cell\'s child outlived the runner');
  } finally {
    killMarked(marker);
  }
});
