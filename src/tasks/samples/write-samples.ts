/**
 * Writes the bundled samples into data/ (or checks them with --check).
 *   npx tsx src/tasks/samples/write-samples.ts [--check] [--data <dir>]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateSampleFiles } from './generate';

/** Default location of the bundled data: <repo>/data. */
export const DEFAULT_DATA_DIR = path.join(__dirname, '..', '..', '..', 'data');

/** Writes (or with check=true compares) every sample file; returns the paths that differ. */
export function writeSamples(dataDir = DEFAULT_DATA_DIR, check = false): string[] {
  const differing: string[] = [];
  for (const [rel, content] of Object.entries(generateSampleFiles())) {
    const file = path.join(dataDir, rel);
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (current === content) continue;
    differing.push(rel);
    if (!check) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
  }
  return differing;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const at = args.indexOf('--data');
  const dir = at >= 0 ? path.resolve(args[at + 1]) : DEFAULT_DATA_DIR;
  const differing = writeSamples(dir, check);
  if (check && differing.length) {
    console.error(`out of date: ${differing.join(', ')} (run without --check to regenerate)`);
    process.exit(1);
  }
  console.log(check ? 'samples up to date' : differing.length ? `wrote ${differing.join(', ')}` : 'samples already up to date');
}
