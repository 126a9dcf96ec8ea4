// A real dynamic import(), kept in a plain .cjs file that no TypeScript compiler rewrites.
// TypeScript (and tslab's per-cell compiler) turn `import()` into `require()` when emitting
// CommonJS, and `require` of an ESM package with top-level await (node-llama-cpp) fails.
module.exports = (specifier) => import(specifier);
