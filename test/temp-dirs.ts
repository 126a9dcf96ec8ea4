/**
 * Temporary folders a test file makes, removed when the file's tests end: `madeTempDir(prefix)`
 * is `fs.mkdtempSync(prefix)` plus that cleanup. The hook is registered when a test file imports
 * this module, i.e. at its top level, so it runs after all of that file's tests.
 */
import { after } from 'node:test';
import * as fs from 'node:fs';

const made: string[] = [];
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

export function madeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(prefix);
  made.push(dir);
  return dir;
}
