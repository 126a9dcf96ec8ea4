/**
 * Test helper: command lines of live processes containing a marker (Linux /proc; `ps` elsewhere).
 * Used to prove that no kernel (and nothing a kernel started) outlives a run.
 */
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';

export function processesMatching(marker: string): string[] {
  if (fs.existsSync('/proc/self/cmdline')) {
    const found: string[] = [];
    for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      if (Number(pid) === process.pid) continue;
      let cmd = '';
      try {
        cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      } catch {
        continue; // exited meanwhile
      }
      if (cmd.includes(marker)) found.push(`${pid}: ${cmd}`);
    }
    return found;
  }
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(marker) && !l.includes('ps -eo'));
}

/**
 * Processes whose environment holds `marker` (Linux /proc only; elsewhere an empty list). For
 * kernels started by tools that do not put anything of ours on the command line (nbconvert writes
 * its connection file to a random temp name), a marker variable in the inherited environment does.
 */
export function processesWithEnv(marker: string): string[] {
  if (!fs.existsSync('/proc/self/environ')) return [];
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    if (Number(pid) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/environ`, 'utf8').includes(marker)) {
        found.push(`${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`);
      }
    } catch {
      continue; // exited meanwhile, or not ours to read
    }
  }
  return found;
}

/** Polls until no process matches (processes can take a moment to be reaped). */
export async function expectNoProcesses(marker: string, withinMs = 3000, find: (m: string) => string[] = processesMatching): Promise<string[]> {
  const until = Date.now() + withinMs;
  let left = find(marker);
  while (left.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    left = find(marker);
  }
  return left;
}
