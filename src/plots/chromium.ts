/**
 * Finding a Chromium/Chrome binary for static figure export. Only the filesystem is consulted;
 * nothing is downloaded (the machines this runs on have no network).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Result of {@link findChromium}: the binary, or null plus every place that was tried. */
export interface ChromiumLookup {
  path: string | null;
  tried: string[];
  /** true when CHROMIUM_PATH decided the answer */
  fromEnv: boolean;
}

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function isExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Looks for Chromium. `CHROMIUM_PATH`, when set, is the only candidate (so a wrong value is
 * reported rather than silently ignored); otherwise each directory of PATH, then /usr/bin, is
 * searched for chromium, chromium-browser, google-chrome and google-chrome-stable.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLookup {
  const forced = env.CHROMIUM_PATH;
  if (forced) return { path: isExecutable(forced) ? forced : null, tried: [forced], fromEnv: true };
  const dirs = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/bin'];
  const tried: string[] = [];
  for (const name of NAMES) {
    for (const dir of dirs) {
      const p = path.join(dir, name);
      if (tried.includes(p)) continue;
      tried.push(p);
      if (isExecutable(p)) return { path: p, tried, fromEnv: false };
    }
  }
  return { path: null, tried, fromEnv: false };
}

/** The message shown when no Chromium is found: what was tried and how to install one. */
export function chromiumMissingMessage(lookup: ChromiumLookup): string {
  const where = lookup.fromEnv
    ? `CHROMIUM_PATH=${lookup.tried[0]} is not an executable file`
    : `none of ${NAMES.join(', ')} is on PATH or in /usr/bin`;
  return (
    `Chromium is needed for SVG/PNG figure export but was not found (${where}). ` +
    'Install it with `sudo apt-get install chromium` (Debian/Ubuntu; `chromium-browser` on older Ubuntu) ' +
    'or point CHROMIUM_PATH at a Chrome/Chromium binary. SVG/PNG are skipped; HTML, CSV and JSON are still written.'
  );
}
