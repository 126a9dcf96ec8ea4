#!/usr/bin/env node
// Starts this checkout's tslab kernel with the checkout root as working directory.
//
// Why: tslab compiles every cell with `rootDir` set to the kernel's working directory, and
// Jupyter starts kernels in the notebook's own folder (notebooks/). A cell importing `../src/...`
// then fails with "File '.../src/x.ts' is not under 'rootDir'". Running from the checkout root
// makes `./src`, `./data`, `./figures` resolve the same way in JupyterLab, VS Code, nbconvert,
// the headless runner and the `inform` CLI. The folder Jupyter chose stays visible to cells as
// process.env.INFORM_NOTEBOOK_DIR.
//
// Plain .cjs on purpose: kernel.json runs it directly with node, before any TypeScript exists.
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
process.env.INFORM_NOTEBOOK_DIR = process.cwd();
process.chdir(root);
require(path.join(root, 'node_modules', 'tslab', 'dist', 'main.js')).main();
