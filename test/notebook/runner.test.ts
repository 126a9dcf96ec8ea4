import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { readNotebook, validateNotebook, type CodeCell, type DisplayDataOutput } from '../../src/notebook/nbformat';
import { runNotebook, runNotebooks, resolveNotebookArgs } from '../../src/notebook/runner';
import { expectNoProcesses, processesMatching } from './processes';

const root = path.resolve(__dirname, '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'notebooks');
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-test-'));
after(() => fs.rmSync(outDir, { recursive: true, force: true }));
// Every kernel this process starts has this in its command line (the connection file name).
const kernelMarker = `inform-kernel-${process.pid}-`;
const quiet = { outDir, log: () => {} };

function codeCells(file: string): CodeCell[] {
  const raw: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(validateNotebook(raw), [], 'the executed notebook is valid nbformat 4');
  return readNotebook(file).cells.filter((c): c is CodeCell => c.cell_type === 'code');
}

test('rich fixture: streams, html, svg, png, json and a live-updated display are stored', async () => {
  const lines: string[] = [];
  const r = await runNotebook(path.join(fixtures, 'rich.ipynb'), { outDir, log: (l) => lines.push(l) });
  assert.equal(r.ok, true, lines.join('\n'));
  assert.equal(r.outPath, path.join(outDir, 'rich.ipynb'));
  assert.deepEqual(r.cells.map((c) => c.executionCount), [1, 2, 3, 4]);
  assert.ok(lines.some((l) => /^\[2\/4\] cell 3 \.\.\. ok \(\d+\.\ds\)$/.test(l)), lines.join('\n'));
  console.log(`kernel start: ${r.kernelStartSeconds.toFixed(1)} s, whole notebook: ${r.seconds.toFixed(1)} s`);

  const [streams, rich, progress, value] = codeCells(r.outPath);
  assert.deepEqual(streams.outputs, [
    { output_type: 'stream', name: 'stdout', text: ['line one\n', 'line two\n'] },
    { output_type: 'stream', name: 'stderr', text: ['a warning on stderr\n'] },
  ]);
  const bundles = (rich.outputs as DisplayDataOutput[]).map((o) => o.data);
  assert.deepEqual(bundles[0], { 'text/html': ['<b>bold</b> text'] });
  assert.match((bundles[1]['image/svg+xml'] as string[]).join(''), /^<svg [^>]+><rect/);
  assert.equal(Buffer.from(bundles[2]['image/png'] as string, 'base64').subarray(1, 4).toString(), 'PNG');
  assert.deepEqual(bundles[3], { 'application/json': { epochs: 5, loss: [0.9, 0.4] } });
  assert.deepEqual(progress.outputs, [{ output_type: 'display_data', data: { 'text/plain': ['step 3/3'] }, metadata: {} }]);
  // tslab prints a cell's last value to stdout rather than sending execute_result.
  assert.deepEqual(value.outputs, [{ output_type: 'stream', name: 'stdout', text: ['42\n'] }]);
  const nb = readNotebook(r.outPath);
  assert.deepEqual(nb.cells.filter((c): c is CodeCell => c.cell_type === 'code').map((c) => c.execution_count), [1, 2, 3, 4], 'the saved copy has In [1]..In [4]');
  assert.equal(nb.metadata.kernelspec?.name, 'tslab');
  assert.equal(nb.metadata.language_info?.name, 'typescript');
  assert.deepEqual(await expectNoProcesses(kernelMarker), []);
});

test('failing fixture: stops at the throwing cell, reports it, saves the partial notebook', async () => {
  const lines: string[] = [];
  const r = await runNotebook(path.join(fixtures, 'failing.ipynb'), { outDir, log: (l) => lines.push(l) });
  assert.equal(r.ok, false);
  assert.deepEqual(
    { index: r.failedCell?.index, codeNumber: r.failedCell?.codeNumber, kind: r.failedCell?.kind, ename: r.failedCell?.ename, evalue: r.failedCell?.evalue },
    { index: 3, codeNumber: 2, kind: 'error', ename: 'TypeError', evalue: 'deliberate failure for the runner test' },
  );
  assert.ok(r.failedCell!.traceback.some((l) => l.includes('at explode')), r.failedCell!.traceback.join('\n'));
  const report = lines.join('\n');
  assert.match(report, /code cell 2 of 3 \(cell 4 of 5, index 3\) failed\n {2}TypeError: deliberate failure for the runner test/);
  const [first, failed, never] = codeCells(r.outPath);
  assert.deepEqual(first.outputs, [{ output_type: 'stream', name: 'stdout', text: ['first cell ran\n'] }]);
  const err = failed.outputs.at(-1)!;
  assert.equal(err.output_type, 'error');
  assert.deepEqual(never.outputs, [], 'cells after the failure are not run');
  assert.equal(never.execution_count, null);
  assert.deepEqual(await expectNoProcesses(kernelMarker), []);
});

test('runNotebooks starts the next kernel ahead: fresh kernel, same results, none left after a stop', async () => {
  const lines: string[] = [];
  const ok = path.join(fixtures, 'ok.ipynb');
  const failing = path.join(fixtures, 'failing.ipynb');
  const rs = await runNotebooks([failing, ok, ok], { outDir, keepGoing: true, log: (l) => lines.push(l) });
  assert.deepEqual(rs.map((r) => r.ok), [false, true, true]);
  assert.equal(lines.filter((l) => l.endsWith('kernel started ahead (while the previous notebook ran)')).length, 2, lines.join('\n'));
  // Nothing ran in the kernel before its notebook: counts start at 1, outputs are the notebook's own.
  const [a, b] = codeCells(rs[2].outPath);
  assert.deepEqual([a.execution_count, b.execution_count], [1, 2]);
  assert.deepEqual(b.outputs, [{ output_type: 'stream', name: 'stdout', text: ['32\n'] }]);
  // Stopping at a failure also stops the kernel already started for the notebook after it.
  const stopped = await runNotebooks([ok, failing, ok], quiet);
  assert.deepEqual(stopped.map((r) => r.ok), [true, false]);
  assert.deepEqual(await expectNoProcesses(kernelMarker), []);
});

test('hung fixture: the timeout interrupts the cell in bounded time; kernel and its child are gone', async () => {
  const probe = `inform-orphan-probe-${process.pid}`;
  const t0 = Date.now();
  const r = await runNotebook(path.join(fixtures, 'hung.ipynb'), { ...quiet, timeoutS: 3, env: { ...process.env, INFORM_TEST_MARKER: probe } });
  const took = (Date.now() - t0) / 1000;
  assert.equal(r.ok, false);
  assert.equal(r.failedCell?.kind, 'timeout');
  assert.equal(r.failedCell?.codeNumber, 2);
  assert.match(r.failedCell!.evalue, /did not finish within 3 s/);
  assert.ok(took < r.kernelStartSeconds + 3 + 12, `took ${took.toFixed(1)} s`);
  const cells = codeCells(r.outPath);
  assert.match(JSON.stringify(cells[0].outputs), /child started/);
  assert.equal(cells[1].outputs.at(-1)?.output_type, 'error');
  assert.deepEqual(await expectNoProcesses(kernelMarker), []);
  assert.deepEqual(await expectNoProcesses(probe), [], 'a process started by a cell is killed with the kernel');
});

test('`inform notebooks` CLI: non-zero exit with the cell and message, --keep-going, name resolution', () => {
  const res = spawnSync(process.execPath, [path.join(root, 'bin', 'inform.cjs'), 'notebooks', path.join(fixtures, 'failing.ipynb'), path.join(fixtures, 'ok.ipynb'), '--out', outDir, '--keep-going'], {
    encoding: 'utf8',
    cwd: root,
  });
  assert.equal(res.status, 1, res.stdout + res.stderr);
  assert.match(res.stdout, /code cell 2 of 3 \(cell 4 of 5, index 3\) failed/);
  assert.match(res.stdout, /TypeError: deliberate failure for the runner test/);
  assert.match(res.stdout, /ok\.ipynb: ok in/, 'with --keep-going the next notebook still runs');
  assert.match(res.stdout, /1 of 2 notebook\(s\) ok; failed: failing\.ipynb/);
  // The summary: a row per notebook (seconds, figures written, status), the total and the caches.
  assert.match(res.stdout, /^notebook +seconds +figures written +status$/m);
  assert.match(res.stdout, /^failing +\d+\.\d +0 +FAILED \(error in code cell 2\)$/m);
  assert.match(res.stdout, /^ok +\d+\.\d +0 +ok$/m);
  assert.match(res.stdout, /^total \d+\.\d s for 2 notebook\(s\), 1 ok$/m);
  assert.match(res.stdout, /^caches: (cold|warm) /m);
  assert.deepEqual(processesMatching(`inform-kernel-${res.pid}-`), [], 'no kernel left by the CLI process');
  const bad = spawnSync(process.execPath, [path.join(root, 'bin', 'inform.cjs'), 'notebooks', 'no-such-notebook'], { encoding: 'utf8', cwd: root });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /no notebook 'no-such-notebook'/);
  assert.deepEqual(resolveNotebookArgs(['ok', 'rich.ipynb'], fixtures), [path.join(fixtures, 'ok.ipynb'), path.join(fixtures, 'rich.ipynb')]);
  assert.throws(() => resolveNotebookArgs(['o'], path.join(root, 'test', 'fixtures', 'nowhere')), /no notebook 'o'/);
});

test('SIGTERM to a running `inform notebooks` stops its kernel and everything the kernel started', async () => {
  const probe = `inform-orphan-probe-sigterm-${process.pid}`;
  const cli = spawn(process.execPath, [path.join(root, 'bin', 'inform.cjs'), 'notebooks', path.join(fixtures, 'hung.ipynb'), '--out', outDir], {
    cwd: root,
    env: { ...process.env, INFORM_TEST_MARKER: probe },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  cli.stdout.on('data', (b: Buffer) => (out += b.toString()));
  cli.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => cli.on('exit', (code) => r(code)));
  // Wait until the first cell (which starts the probe child) has run and the second one spins.
  const until = Date.now() + 60_000;
  while (!/\[1\/3\] cell 2 \.\.\. ok/.test(out) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  assert.match(out, /\[1\/3\] cell 2 \.\.\. ok/);
  assert.ok(processesMatching(`inform-kernel-${cli.pid}-`).length > 0, 'the kernel is running before the signal');
  cli.kill('SIGTERM');
  assert.equal(await exited, 143, out);
  assert.deepEqual(await expectNoProcesses(`inform-kernel-${cli.pid}-`), []);
  assert.deepEqual(await expectNoProcesses(probe), []);
});

test('file-change fixture: a file appearing in src/ mid-session does not break later cells', async (t) => {
  t.after(() => {
    for (const f of fs.readdirSync(path.join(root, 'src', 'notebook'))) {
      if (f.startsWith('watch-probe-')) fs.rmSync(path.join(root, 'src', 'notebook', f), { force: true });
    }
  });
  const lines: string[] = [];
  const r = await runNotebook(path.join(fixtures, 'file-change.ipynb'), { outDir, log: (l) => lines.push(l) });
  assert.equal(r.ok, true, lines.join('\n'));
  const cells = codeCells(r.outPath);
  assert.match(JSON.stringify(cells[2].outputs), /compiles after a file appeared/);
  assert.match(JSON.stringify(cells[4].outputs), /compiles after a file disappeared/);
  assert.deepEqual(await expectNoProcesses(kernelMarker), []);
});

test('crash fixture: a kernel that dies mid-cell is reported as such, not waited on', async () => {
  const r = await runNotebook(path.join(fixtures, 'crash.ipynb'), quiet);
  assert.equal(r.ok, false);
  assert.equal(r.failedCell?.kind, 'kernel-died');
  assert.equal(r.failedCell?.codeNumber, 2);
  assert.match(r.failedCell!.evalue, /kernel process ended \(signal SIGKILL\)/);
  assert.equal(codeCells(r.outPath)[1].outputs.at(-1)?.output_type, 'error');
  assert.deepEqual(await expectNoProcesses(kernelMarker), []);
});

test('setup failures: an invalid notebook file and a kernel that cannot start are reported, not thrown', async () => {
  const bad = path.join(outDir, 'not-a-notebook.ipynb');
  fs.writeFileSync(bad, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', id: 'x', source: 1 }] }));
  const r1 = await runNotebook(bad, quiet);
  assert.equal(r1.ok, false);
  assert.match(r1.setupError!, /not-a-notebook\.ipynb: not a valid nbformat 4 notebook:\n {2}cells\[0\]\.metadata: must be an object\n {2}cells\[0\]\.source/);

  // A kernel whose node refuses to start (preloading a missing module) ends before it is ready.
  const t0 = Date.now();
  const r2 = await runNotebook(path.join(fixtures, 'ok.ipynb'), { ...quiet, env: { ...process.env, NODE_OPTIONS: '--require /nonexistent/preload.js' } });
  assert.equal(r2.ok, false);
  assert.match(r2.setupError!, /kernel ended before it was ready \(exit code 1\)/);
  assert.match(r2.setupError!, /Cannot find module '\/nonexistent\/preload\.js'/, 'the kernel\'s own error output is included');
  assert.ok(Date.now() - t0 < 20_000);
  assert.deepEqual(await expectNoProcesses(kernelMarker), []);
});
