/**
 * The `tslab` Jupyter kernelspec, written by the project itself.
 *
 * tslab's own `tslab install` shells out to Python's jupyter_client; a kernelspec is only a
 * directory holding a `kernel.json`, so we write it directly and need no Python. The spec points
 * at this checkout's tslab with an absolute node path, so Jupyter started from a desktop launcher
 * (no PATH, no nvm) still finds the right interpreter.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Name of the kernelspec directory; notebooks' metadata.kernelspec.name refers to it. */
export const KERNEL_NAME = 'tslab';
/** What JupyterLab / VS Code show in their kernel pickers. */
export const KERNEL_DISPLAY_NAME = 'TypeScript (INFORM tslab)';

/** The parsed content of a kernel.json (only the fields we write or read). */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode?: 'signal' | 'message';
  metadata?: Record<string, unknown>;
}

/** Root of this checkout (the directory holding package.json and node_modules). */
export function checkoutRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

/** Absolute path of this checkout's tslab launcher script. */
export function tslabBin(root: string = checkoutRoot()): string {
  return path.join(root, 'node_modules', 'tslab', 'bin', 'tslab');
}

/** Absolute path of the launcher that starts tslab from the checkout root (kernel-launch.cjs). */
export function kernelLauncher(root: string = checkoutRoot()): string {
  return path.join(root, 'src', 'notebook', 'kernel-launch.cjs');
}

/**
 * The kernel.json content: tslab's own argv (`tslab kernel --config-path {connection_file}`), run
 * through kernel-launch.cjs so cells compile with the checkout root as working directory, with
 * node and the launcher spelled as absolute paths.
 */
export function kernelSpecFor(root: string = checkoutRoot(), node: string = process.execPath): KernelSpec {
  return {
    argv: [node, kernelLauncher(root), 'kernel', '--config-path', '{connection_file}'],
    display_name: KERNEL_DISPLAY_NAME,
    language: 'typescript',
    interrupt_mode: 'signal',
    metadata: { inform_checkout: root },
  };
}

/**
 * Jupyter's per-user data directory, resolved as jupyter_core does: JUPYTER_DATA_DIR, else
 * the platform default (XDG_DATA_HOME/jupyter or ~/.local/share/jupyter on Linux).
 */
export function jupyterUserDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.JUPYTER_DATA_DIR) return path.resolve(env.JUPYTER_DATA_DIR);
  const home = env.HOME || os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Jupyter');
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'jupyter');
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'jupyter');
}

/**
 * Directories Jupyter searches for kernelspecs, in its priority order: JUPYTER_PATH entries,
 * the user data dir, then the system prefixes.
 */
export function jupyterSearchPath(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env.JUPYTER_PATH || '').split(path.delimiter).filter(Boolean);
  const system = process.platform === 'win32' ? [] : ['/usr/local/share/jupyter', '/usr/share/jupyter'];
  return [...fromEnv, jupyterUserDataDir(env), ...system];
}

/** Where to install: the user's data dir (default) or `<prefix>/share/jupyter`. */
export interface KernelInstallOptions {
  prefix?: string;
  env?: NodeJS.ProcessEnv;
  root?: string;
  node?: string;
}

/** Outcome of an install: the kernelspec directory and whether kernel.json changed. */
export interface KernelInstallResult {
  dir: string;
  kernelJson: string;
  changed: boolean;
  spec: KernelSpec;
}

/** Writes (or leaves untouched, when already identical) the tslab kernelspec. Idempotent. */
export function installKernelSpec(opts: KernelInstallOptions = {}): KernelInstallResult {
  const root = opts.root ?? checkoutRoot();
  const bin = tslabBin(root);
  if (!fs.existsSync(bin)) {
    throw new Error(`tslab is not installed: ${bin} is missing (run \`npm ci\` in ${root} first)`);
  }
  const dataDir = opts.prefix ? path.join(path.resolve(opts.prefix), 'share', 'jupyter') : jupyterUserDataDir(opts.env);
  const dir = path.join(dataDir, 'kernels', KERNEL_NAME);
  const kernelJson = path.join(dir, 'kernel.json');
  const spec = kernelSpecFor(root, opts.node);
  const text = JSON.stringify(spec, null, 2) + '\n';
  const before = fs.existsSync(kernelJson) ? fs.readFileSync(kernelJson, 'utf8') : null;
  if (before === text) return { dir, kernelJson, changed: false, spec };
  fs.mkdirSync(dir, { recursive: true });
  // Write beside and rename, so Jupyter never reads a half-written kernel.json.
  const tmp = `${kernelJson}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, kernelJson);
  return { dir, kernelJson, changed: true, spec };
}

/** What `inform kernel status` reports about the installed spec Jupyter would pick. */
export interface KernelStatus {
  /** kernel.json Jupyter would use (first match on its search path), or null */
  kernelJson: string | null;
  spec: KernelSpec | null;
  /** the spec runs this checkout's tslab */
  pointsHere: boolean;
  /** the node and tslab paths in argv exist */
  runnable: boolean;
  problems: string[];
}

/** Finds the `tslab` kernelspec Jupyter would use and checks it points at a runnable tslab. */
export function kernelStatus(env: NodeJS.ProcessEnv = process.env, root: string = checkoutRoot()): KernelStatus {
  const problems: string[] = [];
  for (const dataDir of jupyterSearchPath(env)) {
    const kernelJson = path.join(dataDir, 'kernels', KERNEL_NAME, 'kernel.json');
    if (!fs.existsSync(kernelJson)) continue;
    let spec: KernelSpec;
    try {
      spec = JSON.parse(fs.readFileSync(kernelJson, 'utf8')) as KernelSpec;
    } catch (e) {
      problems.push(`${kernelJson}: not valid JSON (${(e as Error).message})`);
      return { kernelJson, spec: null, pointsHere: false, runnable: false, problems };
    }
    if (!Array.isArray(spec.argv) || spec.argv.length < 2) {
      problems.push(`${kernelJson}: field "argv" must be an array of at least 2 strings`);
      return { kernelJson, spec, pointsHere: false, runnable: false, problems };
    }
    const pointsHere = spec.argv.includes(kernelLauncher(root));
    if (!pointsHere) problems.push(`${kernelJson} runs ${spec.argv.slice(0, 2).join(' ')}, not this checkout's launcher (${kernelLauncher(root)})`);
    if (!fs.existsSync(tslabBin(root))) problems.push(`tslab is not installed: ${tslabBin(root)} is missing (run \`npm ci\`)`);
    const missing = spec.argv.slice(0, 2).filter((p) => path.isAbsolute(p) && !fs.existsSync(p));
    for (const m of missing) problems.push(`${kernelJson}: ${m} does not exist`);
    return { kernelJson, spec, pointsHere, runnable: missing.length === 0 && fs.existsSync(tslabBin(root)), problems };
  }
  problems.push(`no '${KERNEL_NAME}' kernelspec on Jupyter's search path (${jupyterSearchPath(env).join(', ')}); run \`npm run kernel:install\``);
  return { kernelJson: null, spec: null, pointsHere: false, runnable: false, problems };
}
