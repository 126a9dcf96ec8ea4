/**
 * The HumanEval sandbox against hostile candidates. Each run gets its own temp root so we can
 * check afterwards that no process mentioning it survives and no file is left in it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { executeHumanEval, sandboxCapabilities, type ExecuteOptions, type HumanEvalItem, type SandboxResult } from '../../src/tasks';
import { tempDir } from './helpers';

const item: HumanEvalItem = {
  task: 'humaneval',
  id: 'T/add',
  prompt: 'def add(a: int, b: int) -> int:\n    """Return a + b."""\n',
  canonicalSolution: '    return a + b\n',
  test: 'def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-4, 4) == 0\n',
  entryPoint: 'add',
};

const caps = sandboxCapabilities();

/** Command lines of live processes that contain `marker`. */
function processesMentioning(marker: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(marker) && !l.includes('ps -eo'));
}

/** Runs a candidate under a fresh temp root, then asserts nothing was left behind. */
async function runClean(completion: string, opts: ExecuteOptions = {}): Promise<SandboxResult> {
  const { dir, cleanup } = tempDir('inform-sbx-root-');
  try {
    const result = await executeHumanEval(item, completion, { tmpRoot: dir, ...opts });
    assert.deepEqual(fs.readdirSync(dir), [], 'the sandbox directory was removed');
    await new Promise((r) => setTimeout(r, 100)); // let the kernel reap the killed group
    assert.deepEqual(processesMentioning(dir), [], 'no sandbox process survives');
    return result;
  } finally {
    cleanup();
  }
}

test('a correct solution passes and a wrong one fails, with the assertion in stderrTail', async () => {
  const ok = await runClean('    return a + b\n');
  assert.equal(ok.status, 'passed');
  const bad = await runClean('    return a - b\n');
  assert.equal(bad.status, 'failed');
  assert.match(bad.stderrTail, /AssertionError/);
  const raises = await runClean('    return [][a]\n');
  assert.equal(raises.status, 'failed', 'an exception from the candidate is a wrong answer');
  assert.match(raises.stderrTail, /IndexError/);
  const syntax = await runClean('    return a +\n');
  assert.equal(syntax.status, 'crashed');
  assert.match(syntax.stderrTail, /SyntaxError/);
});

test('options given as undefined keep their defaults', async () => {
  const config: { timeout?: number; memory?: number } = {};
  const r = await runClean('    return a + b\n', { timeoutMs: config.timeout, memoryBytes: config.memory, outputLimitBytes: undefined });
  assert.equal(r.status, 'passed', r.detail);
});

test('an infinite loop times out at the wall-clock limit', async () => {
  const r = await runClean('    while True:\n        pass\n', { timeoutMs: 1000 });
  assert.equal(r.status, 'timeout');
  assert.ok(r.ms >= 1000 && r.ms < 3000, `took ${r.ms} ms`);
});

test('a sleeping candidate (no CPU use) also times out', async () => {
  const r = await runClean('    import time\n    time.sleep(60)\n', { timeoutMs: 800 });
  assert.equal(r.status, 'timeout');
  assert.ok(r.ms < 3000, `took ${r.ms} ms`);
});

test('a fork bomb is stopped at the first fork', async () => {
  const r = await runClean('    import os\n    while True:\n        os.fork()\n', { timeoutMs: 3000 });
  assert.equal(r.status, 'crashed');
  assert.match(r.stderrTail, /sandbox blocked: os\.fork/);
  const sub = await runClean("    import subprocess\n    subprocess.run(['sh', '-c', ':(){ :|:& };:'])\n", { timeoutMs: 3000 });
  assert.equal(sub.status, 'crashed');
  assert.match(sub.stderrTail, /sandbox blocked: importing _posixsubprocess/);
});

test('a refused import raises ImportError: caught and done without it passes (numpy imports ctypes that way), uncaught it crashes', async () => {
  const caught = await runClean('    try:\n        import ctypes\n    except ImportError:\n        pass\n    return a + b\n');
  assert.equal(caught.status, 'passed', caught.stderrTail);
  const uncaught = await runClean('    import ctypes\n    return a + b\n');
  assert.equal(uncaught.status, 'crashed');
  assert.match(uncaught.stderrTail, /sandbox blocked: importing ctypes/);
  const caughtThenWrong = await runClean('    try:\n        import _ctypes\n    except ImportError:\n        pass\n    return a - b\n');
  assert.equal(caughtThenWrong.status, 'crashed');
  assert.match(caughtThenWrong.stderrTail, /sandbox blocked: importing _ctypes/);
  const hasNumpy = execFileSync(caps.python, ['-I', '-c', 'import importlib.util as u; print(u.find_spec("numpy") is not None)'], { encoding: 'utf8' }).trim() === 'True';
  if (hasNumpy) {
    const numpy = await runClean('    import numpy as np\n    return int(np.add(a, b))\n');
    assert.equal(numpy.status, 'passed', numpy.stderrTail);
  }
});

test('a memory hog hits the address-space limit', async () => {
  const r = await runClean('    blocks = []\n    while True:\n        blocks.append(bytearray(50 * 1024 * 1024))\n', { memoryBytes: 256 * 1024 ** 2, timeoutMs: 5000 });
  assert.equal(r.status, 'crashed');
  assert.match(r.detail, /memory limit exceeded/);
  assert.ok(r.ms < 5000);
});

test('printing 100 MB is cut off at the output cap', async () => {
  const r = await runClean("    import sys\n    for _ in range(100):\n        sys.stdout.write('x' * (1024 * 1024))\n    return a + b\n", { timeoutMs: 10_000 });
  assert.equal(r.status, 'crashed');
  assert.match(r.detail, /output limit of 1048576 bytes exceeded/);
  assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
  const one = await runClean("    print('x' * 100_000_000)\n    return a + b\n", { timeoutMs: 10_000 });
  assert.equal(one.status, 'crashed');
  assert.match(one.detail, /output limit/);
  const stderrFlood = await runClean("    import sys\n    sys.stderr.write('e' * 5_000_000)\n    return a + b\n", { timeoutMs: 10_000 });
  assert.equal(stderrFlood.status, 'crashed');
  assert.ok(stderrFlood.stderrTail.length < 6000, 'only the tail of stderr is kept');
});

test('writing outside the sandbox directory is blocked and leaves no file', async () => {
  const { dir: outside, cleanup } = tempDir('inform-sbx-outside-');
  try {
    const target = path.join(outside, 'escaped.txt');
    for (const code of [
      `    open(${JSON.stringify(target)}, 'w').write('x')\n    return a + b\n`,
      `    import os\n    fd = os.open(${JSON.stringify(target)}, os.O_CREAT | os.O_WRONLY)\n    return a + b\n`,
      "    import os\n    open('../escaped-relative.txt', 'w').write('x')\n    return a + b\n",
      `    import shutil\n    shutil.rmtree(${JSON.stringify(outside)})\n    return a + b\n`,
    ]) {
      const r = await runClean(code);
      assert.equal(r.status, 'crashed', code);
      assert.match(r.stderrTail, /sandbox blocked/);
    }
    assert.deepEqual(fs.readdirSync(outside), [], 'nothing was written (or deleted) outside');
    // Writing inside its own directory is fine.
    const inside = await runClean("    open('scratch.txt', 'w').write('ok')\n    return a + b\n");
    assert.equal(inside.status, 'passed');
    if (caps.readOnlyFilesystem) {
      // Without the Python guard, the read-only mount namespace still refuses the write.
      const osOnly = await runClean(`    open(${JSON.stringify(target)}, 'w').write('x')\n    return a + b\n`, { guards: false });
      assert.equal(osOnly.status, 'failed');
      assert.match(osOnly.stderrTail, /Read-only file system/);
      const shm = await runClean("    open('/dev/shm/inform-sbx-probe', 'w').write('x')\n    return a + b\n", { guards: false });
      assert.match(shm.stderrTail, /Read-only file system/);
      assert.ok(!fs.existsSync('/dev/shm/inform-sbx-probe'));
      const insideOsOnly = await runClean("    open('scratch.txt', 'w').write('ok')\n    return a + b\n", { guards: false });
      assert.equal(insideOsOnly.status, 'passed', 'its own directory stays writable');
      assert.deepEqual(fs.readdirSync(outside), []);
    }
    // Control: without the guards and namespaces the same write does land, so the checks above can fail.
    const unguarded = await runClean(`    open(${JSON.stringify(target)}, 'w').write('x')\n    return a + b\n`, { guards: false, namespaces: false });
    assert.equal(unguarded.status, 'passed');
    assert.ok(fs.existsSync(target));
  } finally {
    cleanup();
  }
});

test('opening a network socket is blocked (Python guard), and the network namespace blocks it without the guard', async () => {
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const connect = `    import socket\n    s = socket.create_connection(('127.0.0.1', ${port}), timeout=2)\n    s.close()\n    return a + b\n`;
  try {
    const guarded = await runClean(connect);
    assert.equal(guarded.status, 'crashed');
    assert.match(guarded.stderrTail, /sandbox blocked/);
    const raw = await runClean("    import socket\n    socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n    return a + b\n");
    assert.equal(raw.status, 'crashed');
    if (caps.namespaces) {
      const osOnly = await runClean(connect, { guards: false });
      assert.notEqual(osOnly.status, 'passed', 'no route to the host from inside the network namespace');
      assert.match(osOnly.stderrTail, /(Connection refused|Network is unreachable|Errno)/);
    }
    assert.equal(connections, 0, 'the server never saw a connection');
    // Control: with both layers off the connection does happen, so the count above can fail.
    const open = await runClean(connect, { guards: false, namespaces: false });
    assert.equal(open.status, 'passed');
    assert.ok(connections > 0, 'the unguarded candidate reached the server');
  } finally {
    server.close();
  }
});

test("a candidate's `if __name__ == '__main__'` demo block does not run, as in the HumanEval harness", async () => {
  const demo = await runClean("    return a + b\n\nif __name__ == '__main__':\n    assert add(1, 1) == 3, 'the demo block ran'\n");
  assert.equal(demo.status, 'passed', demo.stderrTail);
  // dataclasses look their module up in sys.modules (string annotations): still works
  const dc = await runClean("    return P(a).x + b\n\nimport dataclasses\n@dataclasses.dataclass\nclass P:\n    x: 'int'\n");
  assert.equal(dc.status, 'passed', dc.stderrTail);
});

test('a correct candidate that closes stdout still gets its verdict', async () => {
  const r = await runClean("    import sys\n    sys.stdout.close()\n    return a + b\n");
  assert.equal(r.status, 'passed', r.stderrTail);
});

test('a candidate cannot fake a pass by exiting early or writing a verdict itself', async () => {
  const exit0 = await runClean('    import os\n    os._exit(0)\n');
  assert.equal(exit0.status, 'crashed');
  const sysExit = await runClean('    raise SystemExit(0)\n');
  assert.equal(sysExit.status, 'crashed');
  const forged = await runClean('    import os, json\n    os.write(3, (json.dumps({"token": "guess", "verdict": "passed"}) + "\\n").encode())\n    os._exit(0)\n');
  assert.equal(forged.status, 'crashed');
  const peek = await runClean("    import os\n    return len(os.listdir('.'))\n");
  assert.equal(peek.status, 'failed', 'the program file (with the tests) is deleted before the candidate runs');
});

// The kernel counts all of a uid's threads against RLIMIT_NPROC. Run the driver as an unprivileged
// user (no namespaces: the fallback) who already has more tasks than `processes`.
const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const repoRoot = path.join(__dirname, '..', '..');
// uid 65534 must be able to run a Python 3.8+ and read the driver and tsx (a clone under /root is not readable).
const nobodyReads = [path.join(repoRoot, 'src', 'tasks', 'sandbox', 'driver.py'), path.join(repoRoot, 'node_modules', 'tsx', 'package.json')];
const nobodyPython = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0
  ? [caps.python, '/usr/bin/python3'].find((py) => spawnSync(asNobody[0], [...asNobody.slice(1), 'sh', '-c', '"$@"', 'sh', py, '-c', `import sys; assert sys.version_info >= (3, 8); [open(f).close() for f in ${JSON.stringify(nobodyReads)}]`]).status === 0)
  : undefined;
const nobodySkip = !nobodyPython && 'needs root, setpriv, and a Python and a checkout that uid 65534 can read';
test('without namespaces, a user who already runs more than `processes` tasks can still start a thread', { skip: nobodySkip }, () => {
  const { dir, cleanup } = tempDir('inform-sbx-nproc-');
  try {
    fs.chmodSync(dir, 0o777);
    const program = path.join(dir, 'program.py');
    fs.writeFileSync(program, 'import threading\nt = threading.Thread(target=lambda: None)\nt.start()\nt.join()\n');
    const limits = { memoryBytes: 1024 ** 3, cpuSeconds: 10, fileBytes: 1024 ** 2, processes: 64, guards: true, lockFilesystem: false };
    const driver = nobodyReads[0];
    // 80 sleepers of uid 65534 first, then the driver as the same uid; the sleepers are killed after.
    const script = 'p=; for i in $(seq 80); do sleep 30 </dev/null >/dev/null 2>&1 3>&- & p="$p $!"; done; "$@"; s=$?; kill $p; exit $s';
    const r = spawnSync(asNobody[0], [...asNobody.slice(1), 'sh', '-c', script, 'sh', nobodyPython!, '-I', '-B', driver, JSON.stringify(limits), program], {
      cwd: dir,
      input: 'tok123\n',
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      encoding: 'utf8',
      timeout: 30_000,
    });
    const verdict = String(r.output[3] ?? '');
    assert.match(verdict, /"token": "tok123", "verdict": "passed"/, `${verdict} ${r.stderr}`);
  } finally {
    cleanup();
  }
});

test('the temporary directory is removed even after the candidate locked its subdirectories (non-root user)', { skip: nobodySkip }, () => {
  const { dir, cleanup } = tempDir('inform-sbx-chmod-');
  try {
    fs.chmodSync(dir, 0o777);
    const lockIn = "    import os\n    os.makedirs('d/e', exist_ok=True)\n    open('d/e/f', 'w').write('x')\n    os.chmod('d/e', 0)\n    os.chmod('d', 0)\n    return a + b\n";
    const script = [
      `const { executeHumanEval } = require(${JSON.stringify(path.join(repoRoot, 'src', 'tasks', 'index.ts'))});`,
      `executeHumanEval(${JSON.stringify(item)}, ${JSON.stringify(lockIn)}, { tmpRoot: ${JSON.stringify(dir)}, python: ${JSON.stringify(nobodyPython)} })`,
      '  .then((r) => console.log(JSON.stringify(r)));',
    ].join('\n');
    const r = spawnSync(asNobody[0], [...asNobody.slice(1), process.execPath, '--import', 'tsx', '-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    assert.match(r.stdout, /"status":"passed"/, r.stderr);
    assert.deepEqual(fs.readdirSync(dir), [], 'no inform-sandbox-* directory is left behind');
  } finally {
    cleanup();
  }
});

test('the PID namespace reaps a process that escaped the process group', { skip: !caps.namespaces && 'unshare namespaces unavailable here' }, async () => {
  // Guards off so the candidate can start a child at all; setsid moves it out of our process group.
  const marker = `sleep ${(1000 + Math.random()).toFixed(6)}`;
  const spawnEscaper = `    import subprocess\n    subprocess.Popen(['setsid', 'sh', '-c', '${marker}'])\n    import time\n    time.sleep(30)\n`;
  const r = await runClean(spawnEscaper, { guards: false, timeoutMs: 1500 });
  assert.equal(r.status, 'timeout');
  await new Promise((res) => setTimeout(res, 200));
  assert.deepEqual(processesMentioning(marker), [], 'the escaped sleeper died with the namespace');
});
