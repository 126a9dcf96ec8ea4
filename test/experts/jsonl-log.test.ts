import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorruptRecordError, JsonlLog, decodeLine, encodeLine } from '../../src/experts/store/jsonl-log';
import { madeTempDir } from '../temp-dirs'; // removed when the file's tests end



function tmpFile(): string {
  return path.join(madeTempDir(path.join(os.tmpdir(), 'jsonl-log-')), 'log.jsonl');
}

test('records round-trip through the file, and a key is written once', () => {
  const file = tmpFile();
  const log = JsonlLog.open<{ n: number; s: string }>(file);
  assert.equal(log.append('a', { n: 1, s: 'é "quoted" \n newline' }), true);
  assert.equal(log.append('b', { n: 2, s: '' }), true);
  assert.equal(log.append('a', { n: 99, s: 'ignored' }), false);
  log.close();
  assert.equal(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 2);
  const again = JsonlLog.open<{ n: number; s: string }>(file);
  assert.deepEqual(again.get('a'), { n: 1, s: 'é "quoted" \n newline' });
  assert.equal(again.size, 2);
  again.close();
});

test('each line carries a checksum over its exact bytes', () => {
  const line = encodeLine('k', { x: [1, 2] }).trimEnd();
  assert.match(line, /^\{"sum":"[0-9a-f]{16}","k":"k","v":\{"x":\[1,2\]\}\}$/);
  assert.deepEqual(decodeLine(line), { key: 'k', value: { x: [1, 2] } });
  assert.deepEqual(decodeLine(line.replace('[1,2]', '[1,3]')), { error: 'checksum mismatch' });
});

test('a torn final line is truncated away and reported; earlier records survive', () => {
  for (const tail of ['{"sum":"0123', encodeLine('c', 3).slice(0, -5), encodeLine('c', 3).replace('3', '4')]) {
    const file = tmpFile();
    const log = JsonlLog.open<number>(file);
    log.append('a', 1);
    log.append('b', 2);
    log.close();
    const goodSize = fs.statSync(file).size;
    fs.appendFileSync(file, tail);
    const messages: string[] = [];
    const reopened = JsonlLog.open<number>(file, { onRecover: (m) => messages.push(m) });
    assert.equal(messages.length, 1, `tail ${JSON.stringify(tail)}`);
    assert.match(messages[0], /log\.jsonl:3: truncated a torn final record/);
    assert.equal(fs.statSync(file).size, goodSize);
    assert.deepEqual([...reopened.keys()], ['a', 'b']);
    reopened.append('c', 3); // appends after the cut, on a clean line boundary
    reopened.close();
    const last = JsonlLog.open<number>(file, { readOnly: true });
    assert.deepEqual([...last.entries()], [['a', 1], ['b', 2], ['c', 3]]);
  }
});

test('a torn record after multi-byte records is cut at the right byte, blank lines after it too', () => {
  // the reader walks bytes, not one decoded string (a store can pass V8's ~512 MiB string limit)
  const file = tmpFile();
  const log = JsonlLog.open<string>(file);
  log.append('a', 'élan 🙂');
  log.append('b', '数学');
  log.close();
  const goodSize = fs.statSync(file).size;
  fs.appendFileSync(file, '{"sum":"0123"\n\n\n');
  const messages: string[] = [];
  const reopened = JsonlLog.open<string>(file, { onRecover: (m) => messages.push(m) });
  assert.match(messages[0], /log\.jsonl:3: truncated a torn final record/);
  assert.equal(fs.statSync(file).size, goodSize);
  assert.deepEqual([...reopened.entries()], [['a', 'élan 🙂'], ['b', '数学']]);
  reopened.close();
});

test('a corrupt record in the middle is an error naming file and line; repair drops it', () => {
  const file = tmpFile();
  const log = JsonlLog.open<number>(file);
  for (const [k, v] of [['a', 1], ['b', 2], ['c', 3]] as const) log.append(k, v);
  log.close();
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines[1] = lines[1].replace('2', '7'); // bit rot in record 2
  fs.writeFileSync(file, lines.join('\n'));
  assert.throws(
    () => JsonlLog.open<number>(file),
    (e: unknown) => e instanceof CorruptRecordError && e.line === 2 && e.message.startsWith(`${file}:2: corrupt record (checksum mismatch)`),
  );
  assert.equal(fs.existsSync(file + '.lock'), false, 'a failed open releases the lock');
  const messages: string[] = [];
  const repaired = JsonlLog.open<number>(file, { repair: true, onRecover: (m) => messages.push(m) });
  assert.deepEqual([...repaired.entries()], [['a', 1], ['c', 3]]);
  assert.match(messages[0], /dropped corrupt line\(s\) 2/);
  repaired.close();
  assert.equal(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 2);
});

test('one writer at a time; a lock left by a dead process is taken over', () => {
  const file = tmpFile();
  const log = JsonlLog.open<number>(file);
  assert.throws(() => JsonlLog.open<number>(file), /already open for writing in this process/);
  log.close();
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  fs.writeFileSync(file + '.lock', dead.stdout.toString());
  const taken = JsonlLog.open<number>(file);
  assert.equal(JSON.parse(fs.readFileSync(file + '.lock', 'utf8')).pid, process.pid);
  taken.close();
  assert.throws(() => taken.append('x', 1), /closed/);
});

test('a write that fails part-way (disk full) leaves no torn line behind; later records stay readable', () => {
  const file = tmpFile();
  const log = JsonlLog.open<string>(file);
  log.append('a', 'first');
  // the module object itself (the namespace import is read-only); the store reads through to it
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const nodeFs: { writeSync: typeof fs.writeSync } = require('node:fs');
  const real = nodeFs.writeSync;
  // write half of the next line, then fail as a full disk would
  nodeFs.writeSync = ((fd: number, buf: Buffer, off: number) => {
    real(fd, buf, off, Math.floor((buf.length - off) / 2));
    throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  }) as unknown as typeof fs.writeSync;
  try {
    assert.throws(() => log.append('b', 'x'.repeat(100)), /ENOSPC/);
  } finally {
    nodeFs.writeSync = real;
  }
  assert.equal(log.has('b'), false);
  log.append('c', 'third');
  log.close();
  const again = JsonlLog.open<string>(file); // no CorruptRecordError: nothing torn in the middle
  assert.deepEqual([...again.entries()], [['a', 'first'], ['c', 'third']]);
  again.close();
});
