import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { checkoutRoot, installKernelSpec, jupyterUserDataDir, kernelSpecFor, kernelStatus } from '../../src/notebook/kernel';

const root = checkoutRoot();

test('the Jupyter user data dir follows jupyter_core: JUPYTER_DATA_DIR, XDG_DATA_HOME, home', () => {
  assert.equal(jupyterUserDataDir({ JUPYTER_DATA_DIR: '/x/j', HOME: '/h' }, 'linux'), '/x/j');
  assert.equal(jupyterUserDataDir({ XDG_DATA_HOME: '/x/d', HOME: '/h' }, 'linux'), '/x/d/jupyter');
  assert.equal(jupyterUserDataDir({ HOME: '/h' }, 'linux'), '/h/.local/share/jupyter');
  assert.equal(jupyterUserDataDir({ HOME: '/h' }, 'darwin'), '/h/Library/Jupyter');
});

test('the kernelspec runs this checkout\'s launcher with an absolute node, and the launcher and tslab exist', () => {
  const spec = kernelSpecFor();
  assert.deepEqual(spec.argv.slice(2), ['kernel', '--config-path', '{connection_file}']);
  assert.equal(spec.argv[0], process.execPath);
  assert.ok(fs.existsSync(spec.argv[1]), spec.argv[1]);
  assert.ok(fs.existsSync(path.join(root, 'node_modules', 'tslab', 'dist', 'main.js')));
  assert.equal(spec.display_name, 'TypeScript (INFORM tslab)');
  assert.equal(spec.language, 'typescript');
});

test('install writes kernel.json under JUPYTER_DATA_DIR, is idempotent, and status finds it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelspec-test-'));
  try {
    const env = { JUPYTER_DATA_DIR: dir, HOME: dir, JUPYTER_PATH: '' };
    const first = installKernelSpec({ env });
    assert.equal(first.kernelJson, path.join(dir, 'kernels', 'tslab', 'kernel.json'));
    assert.equal(first.changed, true);
    assert.deepEqual(JSON.parse(fs.readFileSync(first.kernelJson, 'utf8')), kernelSpecFor());
    assert.equal(installKernelSpec({ env }).changed, false, 'second install changes nothing');
    const st = kernelStatus(env);
    assert.equal(st.kernelJson, first.kernelJson);
    assert.ok(st.pointsHere && st.runnable, st.problems.join('; '));

    // A spec pointing elsewhere is reported, then fixed by installing again.
    fs.writeFileSync(first.kernelJson, JSON.stringify({ ...kernelSpecFor(), argv: ['/nope/node', '/nope/tslab', 'kernel'] }));
    const stale = kernelStatus(env);
    assert.equal(stale.pointsHere, false);
    assert.ok(stale.problems.some((p) => p.includes('/nope/node does not exist')), stale.problems.join('; '));
    assert.equal(installKernelSpec({ env }).changed, true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('`inform kernel install --prefix` and `inform kernel status` through the CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelspec-cli-'));
  try {
    const env = { ...process.env, JUPYTER_DATA_DIR: path.join(dir, 'user'), JUPYTER_PATH: '' };
    const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin', 'inform.cjs'), 'kernel', ...args], { env, encoding: 'utf8' });
    const before = cli('status');
    assert.equal(before.status, 1, before.stdout + before.stderr);
    assert.match(before.stdout, /npm run kernel:install/);
    const pre = cli('install', '--prefix', path.join(dir, 'pfx'));
    assert.equal(pre.status, 0, pre.stderr);
    assert.ok(fs.existsSync(path.join(dir, 'pfx', 'share', 'jupyter', 'kernels', 'tslab', 'kernel.json')));
    const user = cli('install');
    assert.equal(user.status, 0, user.stderr);
    assert.match(user.stdout, /^installed: /);
    assert.match(cli('install').stdout, /^already up to date: /);
    const after = cli('status');
    assert.equal(after.status, 0, after.stdout);
    assert.match(after.stdout, /ok: Jupyter will run this checkout's tslab/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
