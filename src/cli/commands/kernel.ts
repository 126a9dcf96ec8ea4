import { parseFlags, type Command } from '../command';
import { installKernelSpec, kernelStatus } from '../../notebook/kernel';

/** `inform kernel install|status`: the tslab kernelspec for JupyterLab, VS Code and nbconvert. */
export const command: Command = {
  name: 'kernel',
  summary: 'install or check the tslab Jupyter kernelspec for this checkout',
  help: [
    'usage: inform kernel install [--user | --prefix <dir>]',
    '       inform kernel status',
    '',
    'install  writes kernels/tslab/kernel.json ("TypeScript (INFORM tslab)") into the Jupyter',
    '         user data dir (JUPYTER_DATA_DIR, else ~/.local/share/jupyter; --user is the default)',
    '         or into <dir>/share/jupyter with --prefix. It runs this checkout\'s tslab with the',
    '         current node. Idempotent; no Python needed.',
    'status   shows which tslab kernelspec Jupyter would use and whether it runs this checkout.',
  ].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseFlags(argv, { values: ['prefix'], booleans: ['user'] });
    const sub = positionals[0];
    if (sub === 'install') {
      if (flags.prefix === true) {
        console.error('inform kernel install: --prefix needs a directory');
        return 2;
      }
      const r = installKernelSpec({ prefix: typeof flags.prefix === 'string' ? flags.prefix : undefined });
      console.log(`${r.changed ? 'installed' : 'already up to date'}: ${r.kernelJson}`);
      console.log(`  ${r.spec.argv.join(' ')}`);
      return 0;
    }
    if (sub === 'status') {
      const s = kernelStatus();
      if (s.kernelJson) console.log(`kernelspec: ${s.kernelJson}\n  ${s.spec?.argv?.join(' ') ?? ''}`);
      for (const p of s.problems) console.log(`problem: ${p}`);
      const ok = s.pointsHere && s.runnable;
      console.log(ok ? 'ok: Jupyter will run this checkout\'s tslab' : 'not ready: run `npm run kernel:install`');
      return ok ? 0 : 1;
    }
    console.error(`inform kernel: expected 'install' or 'status'\n\n${command.help}`);
    return 2;
  },
};
