import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMessage } from '../../src/notebook/jupyter-wire';
import { attachErrorFromStderr, errorFromStderr, OutputCollector, stripAnsi, type DisplayIndex } from '../../src/notebook/outputs';
import type { Output } from '../../src/notebook/nbformat';

const msg = (type: string, content: Record<string, unknown>) => makeMessage(type, content, 's');

test('consecutive same-name streams merge; a different stream starts a new output', () => {
  const c = new OutputCollector(new Map());
  c.handle(msg('stream', { name: 'stdout', text: 'a\n' }));
  c.handle(msg('stream', { name: 'stdout', text: 'b' }));
  c.handle(msg('stream', { name: 'stderr', text: 'warn\n' }));
  c.handle(msg('stream', { name: 'stdout', text: 'c\n' }));
  c.handle(msg('status', { execution_state: 'busy' }));
  assert.deepEqual(c.finish(), [
    { output_type: 'stream', name: 'stdout', text: ['a\n', 'b'] },
    { output_type: 'stream', name: 'stderr', text: ['warn\n'] },
    { output_type: 'stream', name: 'stdout', text: ['c\n'] },
  ]);
});

test('display_data, execute_result and kernel errors are stored; JSON strings are parsed', () => {
  const c = new OutputCollector(new Map());
  c.handle(msg('display_data', { data: { 'text/html': '<p>\nx</p>', 'application/vnd.plotly.v1+json': '{"data":[]}', 'image/png': 'AAAA' }, metadata: {} }));
  c.handle(msg('execute_result', { execution_count: 3, data: { 'text/plain': '42' }, metadata: {} }));
  c.handle(msg('error', { ename: 'ValueError', evalue: 'bad', traceback: ['\u001b[31mValueError\u001b[0m: bad'] }));
  const out = c.finish();
  assert.deepEqual(out[0], { output_type: 'display_data', data: { 'text/html': ['<p>\n', 'x</p>'], 'application/vnd.plotly.v1+json': { data: [] }, 'image/png': 'AAAA' }, metadata: {} });
  assert.deepEqual(out[1], { output_type: 'execute_result', execution_count: 3, data: { 'text/plain': ['42'] }, metadata: {} });
  assert.equal(c.kernelError?.ename, 'ValueError');
  assert.equal(stripAnsi(c.kernelError!.traceback[0]), 'ValueError: bad');
});

test('update_display_data rewrites the output with that display_id, even in an earlier cell', () => {
  const displays: DisplayIndex = new Map();
  const first = new OutputCollector(displays);
  first.handle(msg('display_data', { data: { 'text/plain': 'step 1/3' }, metadata: {}, transient: { display_id: 'p' } }));
  first.handle(msg('display_data', { data: { 'text/plain': 'other' }, metadata: {}, transient: { display_id: 'q' } }));
  const second = new OutputCollector(displays);
  second.handle(msg('update_display_data', { data: { 'text/plain': 'step 3/3' }, metadata: {}, transient: { display_id: 'p' } }));
  assert.deepEqual(first.finish().map((o) => (o as { data: unknown }).data), [{ 'text/plain': ['step 3/3'] }, { 'text/plain': ['other'] }]);
  assert.deepEqual(second.finish(), [], 'an update adds no output of its own');
});

test('clear_output clears at once, or at the next output with wait', () => {
  const c = new OutputCollector(new Map());
  c.handle(msg('stream', { name: 'stdout', text: 'old\n' }));
  c.handle(msg('clear_output', { wait: true }));
  assert.equal(c.outputs.length, 1);
  c.handle(msg('stream', { name: 'stdout', text: 'new\n' }));
  assert.deepEqual(c.finish(), [{ output_type: 'stream', name: 'stdout', text: ['new\n'] }]);
  c.handle(msg('clear_output', { wait: false }));
  assert.deepEqual(c.finish(), []);
});

// The stderr texts below are what tslab 1.0.22 wrote for real failing cells (runner fixture runs).
const THROWN =
  'tfjs backend: wasm\n' +
  'evalmachine.<anonymous>:4\n' +
  "    throw new TypeError('deliberate failure for the runner test');\n" +
  '    ^\n' +
  '\n' +
  'TypeError: deliberate failure for the runner test\n' +
  '    at explode (evalmachine.<anonymous>:4:11)\n' +
  '    at evalmachine.<anonymous>:7:22\n';
const TS_DIAG = "1:7 - Type 'string' is not assignable to type 'number'.\n";

test('errorFromStderr finds a thrown JS error, keeping unrelated earlier stderr apart', () => {
  const { error, before } = errorFromStderr(THROWN);
  assert.equal(error.ename, 'TypeError');
  assert.equal(error.evalue, 'deliberate failure for the runner test');
  assert.equal(before, 'tfjs backend: wasm\n');
  assert.equal(error.traceback[0], 'evalmachine.<anonymous>:4', 'node\'s source excerpt stays with the error');
  assert.equal(error.traceback.at(-1), '    at evalmachine.<anonymous>:7:22');
});

test('errorFromStderr reports TypeScript diagnostics, coded errors and thrown non-errors', () => {
  assert.deepEqual(errorFromStderr(TS_DIAG).error, {
    output_type: 'error',
    ename: 'TypeScriptError',
    evalue: "1:7 - Type 'string' is not assignable to type 'number'.",
    traceback: ["1:7 - Type 'string' is not assignable to type 'number'."],
  });
  const coded = errorFromStderr('Error [ERR_REQUIRE_ASYNC_MODULE]: require() cannot be used on an ESM graph with top-level await\n    at x\n').error;
  assert.equal(coded.ename, 'Error');
  assert.match(coded.evalue, /^require\(\) cannot be used/);
  assert.deepEqual(errorFromStderr('just a thrown string\n').error.evalue, 'just a thrown string');
  assert.match(errorFromStderr('').error.evalue, /without writing an error message/);
});

test('attachErrorFromStderr moves the error text from the stderr stream into an error output', () => {
  const outputs: Output[] = [
    { output_type: 'stream', name: 'stdout', text: 'hi\n' },
    { output_type: 'stream', name: 'stderr', text: THROWN },
  ];
  const err = attachErrorFromStderr(outputs);
  assert.equal(outputs.length, 3);
  assert.deepEqual(outputs[1], { output_type: 'stream', name: 'stderr', text: 'tfjs backend: wasm\n' });
  assert.equal(outputs[2], err);
  const onlyError: Output[] = [{ output_type: 'stream', name: 'stderr', text: TS_DIAG }];
  attachErrorFromStderr(onlyError);
  assert.deepEqual(onlyError.map((o) => o.output_type), ['error'], 'an emptied stream is dropped');
});
