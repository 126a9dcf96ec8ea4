/**
 * Finding a Chromium/Chrome binary for static figure export. Only the filesystem is consulted;
 * nothing is downloaded (the machines this runs on have no network).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUNDLED_EXTRA_ARGS, bundledChromium, bundledChromiumInstalled } from './bundled-chromium';

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
    'or point CHROMIUM_PATH at a Chrome/Chromium binary; `npm ci` also installs a bundled fallback (@sparticuz/chromium). ' +
    'SVG/PNG/PDF are skipped; HTML, CSV and JSON are still written.'
  );
}

/** The browser figure export runs on, and where it came from. */
export interface BrowserChoice {
  path: string;
  /** 'system': a Chromium/Chrome on this machine; 'bundled': the one inside @sparticuz/chromium */
  source: 'system' | 'bundled';
  /** one line for logs, e.g. 'system Chromium /usr/bin/chromium' */
  description: string;
  /** environment additions the browser needs (the bundled one: its fonts) */
  env: Record<string, string>;
  /** flags added to the shared ones */
  extraArgs: readonly string[];
}

/**
 * Chooses the browser for figure export: the system's Chromium first (see {@link findChromium}),
 * else the bundled @sparticuz/chromium (unpacked on first use). `INFORM_CHROMIUM=system` or
 * `=bundled` allows only that one. Resolves to a message saying what was tried when none is there.
 */
export async function locateBrowser(env: NodeJS.ProcessEnv = process.env): Promise<BrowserChoice | { missing: string }> {
  const want = env.INFORM_CHROMIUM ?? 'auto';
  if (!['auto', 'system', 'bundled'].includes(want)) {
    return { missing: `INFORM_CHROMIUM must be auto, system or bundled, got '${want}'` };
  }
  const lookup = findChromium(env);
  if (want !== 'bundled' && lookup.path) {
    return { path: lookup.path, source: 'system', description: `system Chromium ${lookup.path}`, env: {}, extraArgs: [] };
  }
  // CHROMIUM_PATH names the only acceptable browser: a wrong value is reported, not worked around.
  if (want !== 'system' && !lookup.fromEnv) {
    let bundled: Awaited<ReturnType<typeof bundledChromium>>;
    try {
      bundled = await bundledChromium(env);
    } catch (err) {
      // e.g. a full disk or an unwritable cache folder: say so, and export what needs no browser.
      return { missing: `the bundled Chromium (@sparticuz/chromium) could not be unpacked: ${(err as Error).message}. ${chromiumMissingMessage(lookup)}` };
    }
    if (bundled) {
      return {
        path: bundled.executablePath,
        source: 'bundled',
        description: `bundled Chromium (@sparticuz/chromium ${bundled.version}) ${bundled.executablePath}`,
        env: bundled.env,
        extraArgs: BUNDLED_EXTRA_ARGS,
      };
    }
  }
  if (want === 'bundled') return { missing: 'INFORM_CHROMIUM=bundled but @sparticuz/chromium is not installed (run `npm ci`)' };
  return { missing: chromiumMissingMessage(lookup) };
}

/** Whether figure export can find a browser without starting one (system Chromium or the bundled package). */
export function browserAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  const lookup = findChromium(env);
  if (lookup.path && env.INFORM_CHROMIUM !== 'bundled') return true;
  return !lookup.fromEnv && env.INFORM_CHROMIUM !== 'system' && bundledChromiumInstalled();
}
