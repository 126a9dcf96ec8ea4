/**
 * The fallback browser for figure export: the Chromium shipped inside the `@sparticuz/chromium`
 * npm package (a brotli-compressed headless build plus fonts), so export works on a machine that
 * has only run `npm ci`. Nothing is downloaded: the archive in node_modules is unpacked once into
 * a cache folder and reused. Debian's `chromium` stays the first choice (see chromium.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';

/** An unpacked bundled Chromium: the binary, the environment it needs (fonts), its version. */
export interface BundledChromium {
  executablePath: string;
  env: Record<string, string>;
  version: string;
}

const PACKAGE = '@sparticuz/chromium';

/** The package's folder in node_modules, or null when it is not installed. */
export function bundledPackageDir(): string | null {
  try {
    // The package is ESM with an exports map; resolving its entry works from CommonJS too.
    const entry = require.resolve(PACKAGE);
    return path.resolve(path.dirname(entry), '..');
  } catch {
    return null;
  }
}

/** Whether the npm package (and its compressed browser) is installed. */
export function bundledChromiumInstalled(): boolean {
  const dir = bundledPackageDir();
  return dir !== null && fs.existsSync(path.join(dir, 'bin', 'chromium.br'));
}

function packageVersion(dir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Where the browser is unpacked: `$INFORM_CHROMIUM_CACHE`, else `$XDG_CACHE_HOME/inform` or
 * `~/.cache/inform`, in a folder named after the package version (an upgrade unpacks afresh).
 */
export function bundledCacheDir(version: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.INFORM_CHROMIUM_CACHE
    ? path.resolve(env.INFORM_CHROMIUM_CACHE)
    : path.join(env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache'), 'inform');
  return path.join(base, `sparticuz-chromium-${version}`);
}

/** Unpacks the regular files and folders of an uncompressed (ustar) tar archive into `dest`. */
export function untar(archive: Buffer, dest: string): void {
  let off = 0;
  while (off + 512 <= archive.length) {
    const header = archive.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (a: number, n: number) => header.subarray(a, a + n).toString('utf8').replace(/\0.*$/s, '');
    const name = (field(345, 155) ? `${field(345, 155)}/` : '') + field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const target = path.resolve(dest, name);
    if (!target.startsWith(path.resolve(dest) + path.sep) && target !== path.resolve(dest)) {
      throw new Error(`bundled Chromium: the archive entry '${name}' points outside ${dest}`);
    }
    if (type === '5') fs.mkdirSync(target, { recursive: true });
    else if (type === '0') {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, archive.subarray(off + 512, off + 512 + size));
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
}

/** A fontconfig file that adds the bundled fonts to the system's own configuration. */
function fontsConf(fontDir: string): string {
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
    `  <dir>${fontDir}</dir>`,
    `  <cachedir>${path.join(path.dirname(fontDir), 'fontconfig-cache')}</cachedir>`,
    '</fontconfig>',
    '',
  ].join('\n');
}

let unpacking: Promise<BundledChromium> | null = null;

async function unpack(pkgDir: string, version: string, cache: string): Promise<BundledChromium> {
  const result = (): BundledChromium => ({
    executablePath: path.join(cache, 'chromium'),
    env: { FONTCONFIG_FILE: path.join(cache, 'fonts.conf') },
    version,
  });
  if (fs.existsSync(path.join(cache, 'chromium')) && fs.existsSync(path.join(cache, 'fonts.conf'))) return result();
  // Unpack beside the final folder, then rename it into place: a concurrent process either sees
  // the complete folder or none, never a half-written 200 MB binary.
  fs.mkdirSync(path.dirname(cache), { recursive: true });
  const tmp = `${cache}.tmp-${process.pid}-${Date.now()}`;
  try {
    fs.mkdirSync(tmp);
    await pipeline(
      fs.createReadStream(path.join(pkgDir, 'bin', 'chromium.br')),
      zlib.createBrotliDecompress(),
      fs.createWriteStream(path.join(tmp, 'chromium'), { mode: 0o755 }),
    );
    untar(zlib.brotliDecompressSync(fs.readFileSync(path.join(pkgDir, 'bin', 'fonts.tar.br'))), tmp);
    fs.rmSync(path.join(tmp, 'fonts.conf'), { force: true }); // the package's own points at /tmp/fonts
    fs.writeFileSync(path.join(tmp, 'fonts.conf'), fontsConf(path.join(cache, 'fonts')));
    try {
      fs.renameSync(tmp, cache);
    } catch (err) {
      // Another process finished first: use its copy.
      if (!fs.existsSync(path.join(cache, 'chromium'))) throw err;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return result();
}

/**
 * The bundled Chromium, unpacked on first use (200 MB on disk; 6.5-22 s measured on 2 cores) and cached; null when
 * `@sparticuz/chromium` is not installed.
 */
export async function bundledChromium(env: NodeJS.ProcessEnv = process.env): Promise<BundledChromium | null> {
  const pkgDir = bundledPackageDir();
  if (!pkgDir || !fs.existsSync(path.join(pkgDir, 'bin', 'chromium.br'))) return null;
  if (!unpacking) {
    const version = packageVersion(pkgDir);
    unpacking = unpack(pkgDir, version, bundledCacheDir(version, env));
    unpacking.catch(() => (unpacking = null));
  }
  return unpacking;
}

/** Flags the bundled build needs beyond the shared ones: it is a headless shell without a zygote. */
export const BUNDLED_EXTRA_ARGS: readonly string[] = ['--no-zygote'];
