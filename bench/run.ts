/**
 * `npm run bench -- <name>`: runs bench/<name>.ts. Each bench measures against a baseline in
 * the same process and prints `ratio: <number> (<what over what>)` as its last line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const NAMES = ['train', 'probes', 'generate', 'sandbox'];

async function main(): Promise<void> {
  const name = process.argv[2];
  const present = NAMES.filter((n) => fs.existsSync(path.join(__dirname, `${n}.ts`)));
  if (!name || !present.includes(name)) {
    console.error(`usage: npm run bench -- <name>   (available: ${present.join(', ') || 'none'})`);
    process.exit(2);
  }
  const mod = require(`./${name}.ts`) as { run(args: string[]): Promise<void> };
  await mod.run(process.argv.slice(3));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
