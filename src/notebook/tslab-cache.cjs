// A compile cache for tslab, shared by every kernel of this checkout (.cache/tslab/).
//
// Why: tslab type-checks and emits every project file a cell imports, in every new kernel. A paper
// notebook's import cell pulls in ~155 files of src/ and took 25-40 s on 2 cores (measured: ~5 s
// building the program, ~16 s checking src/, ~5 s emitting it), i.e. most of a notebook's time
// when its runs, checkpoints and probe tables are already cached.
//
// What is cached, and when it is reused: tslab's own results for the imported project files (the
// JavaScript it emits for them, and the fact that they type-checked without errors), keyed by a
// hash of the *content* of every non-node_modules source file in the kernel's program plus the
// installed packages (node_modules/.package-lock.json), tslab's version and its compile target.
// Editing any file of src/ (or installing packages) therefore changes the key, and that kernel
// checks and emits everything again, exactly as unpatched tslab does: stale code cannot be served.
// The cell's own code is always compiled and checked; a file with errors is never recorded as clean.
// The cached JavaScript runs at the same path tslab would give it (src/x.js beside src/x.ts), so
// __dirname and relative requires inside src/ are unchanged.
//
// How: tslab keeps the compile steps in closures of dist/converter.js, so the launcher loads that
// file with three small text patches (see PATCHES) before tslab's main() requires it. A tslab whose
// converter no longer contains the patched lines runs unpatched and says so on stderr.
// INFORM_TSLAB_CACHE=0 turns the cache off (the kernel then behaves as plain tslab);
// INFORM_TSLAB_CACHE_DIR moves it.
//
// Plain .cjs: loaded by kernel-launch.cjs before tslab starts.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const KEEP_ENTRIES = 64;

/** The cache for one converter (one kernel language mode); methods are called by the patched converter. */
function createCache({ root, dir, salt }) {
  const outputPathOf = (dep) => (dep.endsWith('.ts') && !dep.endsWith('.d.ts') ? dep.slice(0, -3) + '.js' : dep.endsWith('.js') ? dep : null);
  const rel = (p) => path.relative(root, p);
  const stats = { hits: 0, misses: 0, checkedFiles: 0, reusedFiles: 0 };

  function programKey(program, srcFilename, declFilename) {
    const h = crypto.createHash('sha256').update(salt);
    const files = program
      .getSourceFiles()
      .filter((f) => f.fileName !== srcFilename && f.fileName !== declFilename && !/[\\/]node_modules[\\/]/.test(f.fileName))
      .map((f) => [rel(f.fileName), f.text])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    // Files outside node_modules that the program does not hold (tslab's lib files live inside
    // its own node_modules) cannot change a result without changing one of these texts.
    for (const [name, text] of files) h.update(`\0${name}\0${text.length}\0`).update(text);
    return h.digest('hex').slice(0, 32);
  }

  function read(key) {
    try {
      const e = JSON.parse(fs.readFileSync(path.join(dir, `${key}.json`), 'utf8'));
      if (e && Array.isArray(e.clean) && e.outputs && typeof e.outputs === 'object') return e;
    } catch {
      /* absent or half-written by a killed kernel: a miss */
    }
    return { clean: [], outputs: {} };
  }

  function write(key, entry) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${key}.json`);
      const tmp = `${file}.tmp-${process.pid}`;
      fs.writeFileSync(tmp, JSON.stringify(entry));
      fs.renameSync(tmp, file);
      prune();
    } catch (e) {
      process.stderr.write(`inform kernel: could not write the tslab cache in ${dir}: ${e.message}\n`);
    }
  }

  /** Keeps the newest KEEP_ENTRIES entries (each edit of src/ makes new keys). */
  function prune() {
    const entries = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { f } of entries.slice(KEEP_ENTRIES)) fs.rmSync(path.join(dir, f), { force: true });
  }

  /** One convert() call: `deps` are the cell's .ts/.js dependencies, the cell file included. */
  function begin(ts, program, srcFile, deps, declFilename) {
    const key = programKey(program, srcFile.fileName, declFilename);
    const entry = read(key);
    const clean = new Set(entry.clean);
    const others = deps.filter((d) => d !== srcFile.fileName);
    const allClean = others.every((d) => clean.has(rel(d)));
    const emitted = {};
    return {
      /** Diagnostics of the cell, plus of its dependencies unless all are known clean under this key. */
      diagnostics(full) {
        if (allClean) {
          stats.reusedFiles += others.length;
          return ts.getPreEmitDiagnosticsOfFiles(program, [srcFile]);
        }
        const diags = full();
        stats.checkedFiles += others.length;
        // Diagnostics without a file (options, globals) come back with the cell's own check too;
        // tslab shows none of them.
        const dirty = new Set(diags.filter((d) => d.file).map((d) => d.file.fileName));
        for (const d of others) if (!dirty.has(d)) clean.add(rel(d));
        return diags;
      },
      /** The cached output of `dep` pushed through `push(path, data)`; false when it must be emitted. */
      emitCached(dep, push) {
        const out = outputPathOf(dep);
        const data = out ? entry.outputs[rel(out)] : undefined;
        if (typeof data !== 'string') return false;
        push(out, data);
        return true;
      },
      /** Records what tslab emitted for the dependencies (path = src/x.js under the root). */
      emittedOutput(outPath, data) {
        emitted[rel(outPath)] = data;
      },
      /** Writes the entry back when it learned something. */
      end() {
        const n = Object.keys(emitted).length;
        if (n === 0 && clean.size === entry.clean.length) {
          if (others.length) stats.hits++;
          return;
        }
        stats.misses++;
        write(key, { clean: [...clean].sort(), outputs: { ...entry.outputs, ...emitted } });
      },
    };
  }

  return { begin, stats };
}

// The converter lines patched, each expected exactly once.
const PATCHES = [
  {
    // Diagnostics: the dependencies' only when not known clean.
    from: 'const diag = convertDiagnostics(getPreEmitDiagnosticsWithDependencies(builder, srcFile));',
    to: 'const __informRun = __informCache.begin(ts, builder.getProgram(), srcFile, getAllSrcDependencies(builder, srcFile), declFilename);\n        const diag = convertDiagnostics(__informRun.diagnostics(() => getPreEmitDiagnosticsWithDependencies(builder, srcFile)));',
  },
  {
    // Emit: a dependency with a cached output is not emitted again.
    from: '            builder.emit(builder.getSourceFile(dep), (fileName, data) => {',
    to: '            if (dep !== srcFilename && __informRun.emitCached(dep, (p, d) => { (sideOutputs || (sideOutputs = [])).push({ path: p, data: d }); })) {\n                continue;\n            }\n            builder.emit(builder.getSourceFile(dep), (fileName, data) => {',
  },
  {
    // Record each emitted dependency.
    from: '                sideOutputs.push({\n                    path: (0, tspath_1.normalizeJoin)(cwd, rel),\n                    data: esModuleToCommonJSModule(data, transpileTarget),\n                });',
    to: '                sideOutputs.push({\n                    path: (0, tspath_1.normalizeJoin)(cwd, rel),\n                    data: esModuleToCommonJSModule(data, transpileTarget),\n                });\n                __informRun.emittedOutput(sideOutputs[sideOutputs.length - 1].path, sideOutputs[sideOutputs.length - 1].data);',
  },
  {
    from: '        if (sideOutputs) {\n            sideOutputs.sort(',
    to: '        __informRun.end();\n        if (sideOutputs) {\n            sideOutputs.sort(',
  },
];

/** The patched converter source, or null when one of the patched lines is not found exactly once. */
function patchConverterSource(src) {
  let out = src;
  for (const p of PATCHES) {
    if (out.split(p.from).length !== 2) return null;
    out = out.replace(p.from, () => p.to);
  }
  return out;
}

function fileHash(file) {
  try {
    return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return 'absent';
  }
}

/**
 * Installs the cache into tslab's converter (call before tslab's main()). Returns the cache's
 * stats object, or null when it is off or tslab's converter has changed.
 */
function installTslabCache({ root, tslabDir, dir = process.env.INFORM_TSLAB_CACHE_DIR || path.join(root, '.cache', 'tslab') }) {
  if (process.env.INFORM_TSLAB_CACHE === '0') return null;
  const file = require.resolve(path.join(tslabDir, 'dist', 'converter.js'));
  const patched = patchConverterSource(fs.readFileSync(file, 'utf8'));
  if (!patched) {
    process.stderr.write('inform kernel: tslab internals changed; running without the compile cache\n');
    return null;
  }
  const tslabVersion = JSON.parse(fs.readFileSync(path.join(tslabDir, 'package.json'), 'utf8')).version;
  // What else fixes tslab's output besides the project's own files: the packages' types, tslab's
  // compiler and the target it picks from Node's version.
  const salt = JSON.stringify({ v: 1, tslabVersion, node: process.versions.node, packages: fileHash(path.join(root, 'node_modules', '.package-lock.json')) });
  const cache = createCache({ root, dir, salt });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  // The converter reaches the cache through this one free name.
  mod.__informCache = cache;
  // Same line count as the original (stack traces keep their lines); "use strict" stays first.
  const prologue = 'const __informCache = module.__informCache;';
  const source = patched.startsWith('"use strict";') ? `"use strict"; ${prologue}${patched.slice('"use strict";'.length)}` : `${prologue} ${patched}`;
  mod._compile(source, file);
  mod.loaded = true;
  require.cache[file] = mod;
  return cache.stats;
}

module.exports = { installTslabCache, patchConverterSource, createCache };
