/** Where exported figures land: `figures/<notebook>/` at the top of the checkout. */
import * as path from 'node:path';

/** The checkout's root (this file lives in src/plots). */
export function projectRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

/**
 * `figures/<group>` under the project root, or under `INFORM_FIGURES_DIR` when set (CI and tests
 * redirect output there). `group` is usually the notebook's short name, e.g. 'smoke'.
 */
export function figuresDir(group: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(group)) {
    throw new Error(`figuresDir: '${group}' is not a safe folder name (letters, digits, '.', '_', '-')`);
  }
  const base = env.INFORM_FIGURES_DIR ? path.resolve(env.INFORM_FIGURES_DIR) : path.join(projectRoot(), 'figures');
  return path.join(base, group);
}
