/**
 * tslab (the notebook kernel) loads our src/ files with its own module loader and its own
 * TypeScript 5.0, which is stricter than tsx: it resolves only files, never a folder's index, and
 * rejects `import x = require(...)`. This scan keeps src/ loadable from notebooks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const SRC = path.join(__dirname, '..', '..', 'src');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative specifiers in import/export-from statements and require() calls. */
function relativeSpecifiers(source: string): { spec: string; line: number }[] {
  const out: { spec: string; line: number }[] = [];
  const re = /(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*)'(\.{1,2}\/[^']*)'/g;
  for (const m of source.matchAll(re)) {
    out.push({ spec: m[1], line: source.slice(0, m.index).split('\n').length });
  }
  return out;
}

test('src/ imports name files, not folders (tslab cannot resolve a folder index)', () => {
  const problems: string[] = [];
  for (const file of tsFiles(SRC)) {
    const source = fs.readFileSync(file, 'utf8');
    for (const { spec, line } of relativeSpecifiers(source)) {
      const target = path.resolve(path.dirname(file), spec);
      if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
        problems.push(`${path.relative(SRC, file)}:${line} imports folder '${spec}' (use '${spec}/index')`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('src/ has no `import x = require()` (tslab rejects import assignments)', () => {
  const problems: string[] = [];
  for (const file of tsFiles(SRC)) {
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        if (/^\s*(export\s+)?import\s+\w+\s*=\s*require\(/.test(text)) problems.push(`${path.relative(SRC, file)}:${i + 1}`);
      });
  }
  assert.deepEqual(problems, []);
});
