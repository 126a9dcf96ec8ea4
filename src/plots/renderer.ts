/**
 * Static rendering of plotly figures to SVG/PNG in headless Chromium.
 *
 * One browser is started lazily on the first render and shared by every later one (starting
 * Chromium and parsing the 4.7 MB plotly bundle costs a few seconds; a render after that costs
 * a fraction of a second). It is closed by `closeExporter()`, after `idleMs` without renders,
 * and on process exit, so no Chromium outlives the process that started it.
 *
 * Its profile is an owned temp folder (`inform-chromium-<pid>-*`, see owned-temp-dirs.ts) that
 * also holds Chromium's own temp files (TMPDIR points into it). The folder is removed only after
 * Chromium is gone (removing it while Chromium still writes failed with ENOTEMPTY and crashed the
 * kernel at shutdown), and never by throwing from an event or exit handler. Signals are left to
 * the host: playwright's SIGINT handler would turn a notebook interrupt into a kernel exit.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { locateBrowser, type BrowserChoice } from './chromium';
import { plotlySpec, type Figure } from './figure';
import { plotlyScriptBody } from './plotly-bundle';
import { makeOwnedTempDir, removeOwnedTempDir, setTempDirGroup, sweepDeadOwners } from '../owned-temp-dirs';

/** Formats Chromium renders: plotly's SVG and PNG, and a vector PDF printed from the SVG. */
export type ImageFormat = 'svg' | 'png' | 'pdf';

/** Size of a render; defaults come from the figure's layout. */
export interface RenderOptions {
  width?: number;
  height?: number;
  /** PNG pixel density multiplier (default 2: print quality) */
  scale?: number;
}

/** Thrown when no Chromium binary can be found; the message says how to install one. */
export class ChromiumMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChromiumMissingError';
  }
}

/** Chromium flags for a quiet, offline, sandbox-free (container) headless run. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

interface Session {
  context: BrowserContext;
  page: Page;
  profileDir: string;
  browser: BrowserChoice;
}

let session: Promise<Session> | null = null;
let profileDirInUse: string | null = null;
let lastBrowser: BrowserChoice | null = null;
let queue: Promise<unknown> = Promise.resolve();
let idleTimer: NodeJS.Timeout | null = null;
let idleMs = 30_000;

/** Sets how long the shared browser may sit unused before it is closed (default 30 s). */
export function setExporterIdleTimeout(ms: number): void {
  idleMs = ms;
}

/** The browser the exporter started last (system or bundled Chromium), or null before any render. */
export function exporterBrowser(): BrowserChoice | null {
  return lastBrowser;
}

/** The profile directory of the running shared browser (a unique temp dir), or null. */
export function exporterProfileDir(): string | null {
  return profileDirInUse;
}

const PROFILE_PREFIX = 'inform-chromium-';
/** What Chromium appends to TMPDIR for its process-singleton socket. */
const CHROMIUM_SOCKET_SUFFIX = '/org.chromium.Chromium.XXXXXX/SingletonSocket';
/** Where profiles made before the owner pid was in the folder name recorded it. */
const OWNER_FILE = 'inform-owner.pid';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes browser profiles left in the temp folder by processes that were killed (SIGKILL gives
 * no chance to clean up; Chromium itself exits when its parent's pipe closes). A profile is
 * stale when the pid in its name (or, for older profiles, in its owner file) is no longer
 * running. Returns the removed paths.
 */
export function removeStaleProfiles(tmp: string = os.tmpdir()): string[] {
  const removed: string[] = sweepDeadOwners(PROFILE_PREFIX, tmp);
  for (const name of fs.readdirSync(tmp)) {
    if (!name.startsWith(PROFILE_PREFIX) || removed.includes(path.join(tmp, name))) continue;
    const dir = path.join(tmp, name);
    let owner: number;
    try {
      owner = Number(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8'));
    } catch {
      continue; // not ours, or still being created
    }
    if (Number.isInteger(owner) && owner > 0 && !processAlive(owner)) {
      fs.rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return removed;
}

async function start(): Promise<Session> {
  const browser = await locateBrowser();
  if ('missing' in browser) throw new ChromiumMissingError(browser.missing);
  removeStaleProfiles();
  // Loaded only when a render is asked for (notebooks that never export pay nothing); plain
  // require because tslab's vm context has no dynamic-import support.
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const profileDir = makeOwnedTempDir(PROFILE_PREFIX);
  // Chromium's own temp files (shared memory under --disable-dev-shm-usage) go into the profile,
  // unless that path is too long for the Unix socket Chromium makes below it (108 bytes).
  const chromiumTmp = path.join(profileDir, 'tmp');
  const tmpEnv = chromiumTmp.length + CHROMIUM_SOCKET_SUFFIX.length < 108 ? { TMPDIR: chromiumTmp } : {};
  if (tmpEnv.TMPDIR) fs.mkdirSync(chromiumTmp);
  profileDirInUse = profileDir;
  try {
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: browser.path,
      headless: true,
      args: [...CHROMIUM_ARGS, ...browser.extraArgs],
      env: { ...process.env, ...browser.env, ...tmpEnv },
      // playwright's own temp folder (otherwise os.tmpdir()/playwright-artifacts-*, left behind
      // whenever the host dies before closing the browser) goes into the owned profile, which the
      // exit handlers and the dead-owner sweep remove
      artifactsDir: path.join(profileDir, 'artifacts'),
      // No signal handlers: playwright's would exit the process on SIGINT (a notebook interrupt)
      // and keep it alive on SIGTERM. Process exit (any path) still kills Chromium: at exit the
      // profile's registered group is SIGKILLed before the folder goes, and playwright kills its
      // own children; a host killed outright closes Chromium's pipe, which ends it.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    setTempDirGroup(profileDir, browserPid(profileDir));
    const page = context.pages()[0] ?? (await context.newPage());
    await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8"><script>${plotlyScriptBody()}</script></head><body></body></html>`);
    const ok = await page.evaluate(() => typeof (globalThis as unknown as { Plotly?: unknown }).Plotly === 'object');
    if (!ok) throw new Error('plotly.js did not load in headless Chromium');
    lastBrowser = browser;
    return { context, page, profileDir, browser };
  } catch (err) {
    profileDirInUse = null;
    dropProfile(profileDir);
    throw new Error(`could not start headless Chromium (${browser.description}): ${(err as Error).message}`);
  }
}

function scheduleIdleClose(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => void closeExporter(), idleMs);
  idleTimer.unref();
}

/** Promise-chain lock: renders run one at a time on the shared page. */
function serialized<T>(job: () => Promise<T>): Promise<T> {
  const next = queue.then(job, job);
  queue = next.catch(() => undefined);
  return next;
}

/**
 * A one-page vector PDF of an SVG at exactly `width` x `height` CSS px (Chromium prints 96 px to
 * the inch), printed from a page of its own so the plotly page stays as it is.
 */
async function printSvgToPdf(context: BrowserContext, svg: string, width: number, height: number): Promise<Buffer> {
  const page = await context.newPage();
  try {
    const css = `@page{size:${width}px ${height}px;margin:0}html,body{margin:0;padding:0;width:${width}px;height:${height}px;overflow:hidden}svg{display:block}`;
    await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8"><style>${css}</style></head><body>${svg}</body></html>`);
    return await page.pdf({ width: `${width}px`, height: `${height}px`, printBackground: true, preferCSSPageSize: true, pageRanges: '1' });
  } finally {
    await page.close().catch(() => undefined);
  }
}

/**
 * Renders a figure to SVG (returns the SVG text), PNG (returns the bytes) with plotly's own
 * `Plotly.toImage` in the shared headless browser, or PDF (the bytes: Chromium's print of that
 * SVG, vector, at the figure's size). Throws {@link ChromiumMissingError} when no Chromium is found.
 */
export function renderFigure(fig: Figure, format: 'svg', opts?: RenderOptions): Promise<string>;
export function renderFigure(fig: Figure, format: 'png' | 'pdf', opts?: RenderOptions): Promise<Buffer>;
export function renderFigure(fig: Figure, format: ImageFormat, opts: RenderOptions = {}): Promise<string | Buffer> {
  return serialized(async () => {
    if (idleTimer) clearTimeout(idleTimer);
    if (!session) {
      const started = start();
      session = started;
      started.then(
        // A browser that dies on its own (crash, OOM kill) is forgotten, so the next render
        // starts a fresh one instead of failing on the dead page. closeExporter() clears
        // `session` before closing, so its own close does not come through here.
        (s) =>
          s.context.on('close', () => {
            if (session !== started) return;
            session = null;
            dropProfile(s.profileDir);
          }),
        () => {
          if (session === started) session = null;
        },
      );
    }
    const { page, context } = await session;
    const args = {
      spec: plotlySpec(fig),
      format: format === 'pdf' ? 'svg' : format,
      width: opts.width ?? fig.layout.width,
      height: opts.height ?? fig.layout.height,
      scale: format === 'png' ? opts.scale ?? 2 : 1,
    };
    try {
      const payload = await page.evaluate(async (a) => {
        const plotly = (globalThis as unknown as { Plotly: { toImage(fig: unknown, o: unknown): Promise<string> } }).Plotly;
        const url = await plotly.toImage(a.spec, { format: a.format, width: a.width, height: a.height, scale: a.scale });
        const body = url.slice(url.indexOf(',') + 1);
        // SVG comes URI-encoded, PNG base64-encoded.
        return a.format === 'svg' ? decodeURIComponent(body) : body;
      }, args);
      if (format === 'pdf') return await printSvgToPdf(context, payload, args.width, args.height);
      return format === 'svg' ? payload : Buffer.from(payload, 'base64');
    } finally {
      scheduleIdleClose();
    }
  });
}

/** Closes the shared browser (if any) and removes its profile directory. Safe to call twice. */
export async function closeExporter(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  const current = session;
  session = null;
  if (!current) return;
  let s: Session;
  try {
    s = await current;
  } catch {
    return; // it never started
  }
  await s.context.close().catch(() => undefined); // resolves once the browser process has exited
  dropProfile(s.profileDir);
}

/**
 * Kills what is left of the browser that used `profileDir` (its process group), then removes the
 * folder. Never throws: it runs from event handlers, where a throw is an uncaught exception.
 */
function dropProfile(profileDir: string): void {
  const pid = browserPid(profileDir);
  if (pid !== undefined) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  removeOwnedTempDir(profileDir); // retries while a dying process still writes
  if (profileDirInUse === profileDir) profileDirInUse = null;
}

/**
 * The pid of the Chromium main process started on `profileDir` by this process (Linux: read from
 * /proc; undefined elsewhere or when it is gone). Playwright starts it as a process-group leader.
 */
function browserPid(profileDir: string): number | undefined {
  if (!fs.existsSync('/proc/self/stat')) return undefined;
  const flag = `--user-data-dir=${profileDir}`;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').includes(flag)) return Number(name);
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}
