#!/usr/bin/env node
// The `inform` command. The CLI is TypeScript; tsx compiles it on the fly (no build step).
require('tsx/cjs');
const { main } = require('../src/cli/main.ts');
main(process.argv.slice(2)).then(
  (code) => process.exit(code ?? 0),
  (err) => {
    console.error(err && err.message ? `inform: ${err.message}` : err);
    process.exit(1);
  },
);
