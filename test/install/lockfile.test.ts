/**
 * `npm ci` refuses a lockfile that lacks an entry for any optional dependency a package declares.
 * The registry mirror these machines use has no Windows/macOS/riscv builds of node-llama-cpp, so a
 * plain `npm install` here drops their entries and breaks `npm ci` on the next clean clone. The
 * entries were restored by hand (platform-gated, so Linux never fetches them); this keeps them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');

test('package-lock.json lists every optional dependency of every locked package (npm ci needs them)', () => {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { optionalDependencies?: Record<string, string> }>;
  };
  const missing: string[] = [];
  for (const [where, entry] of Object.entries(lock.packages)) {
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
      // npm resolves a dependency in the nearest node_modules up the tree
      const candidates: string[] = [];
      for (let base = where; ; base = base.slice(0, Math.max(0, base.lastIndexOf('/node_modules/')))) {
        candidates.push(base ? `${base}/node_modules/${dep}` : `node_modules/${dep}`);
        if (!base.includes('/node_modules/')) {
          if (base) candidates.push(`node_modules/${dep}`);
          break;
        }
      }
      if (!candidates.some((c) => c in lock.packages)) missing.push(`${where || '(root)'} -> ${dep}`);
    }
  }
  assert.deepEqual(missing, [], 'restore these entries in package-lock.json (see docs/decisions.md, "lockfile")');
});
