/** Notebook 09: relational vs intrinsic importance of real experts at the last probed epoch (one point per expert). */
import type { Figure } from '../plots/figure';
import { scatterWithFit } from '../plots/scatter-with-fit';
import type { SolversRun } from './paper-findings-09';

export function relationalVsIntrinsic09(run: Pick<SolversRun, 'probes' | 'expertIds'>, name: string, what: string): Figure {
  const last = run.probes.epochs[run.probes.epochs.length - 1];
  const s = last.structure?.summaries.find((x) => x.task === 'all') ?? last.structure?.summaries[0];
  if (!s) throw new Error(`${name}: no structure probe at epoch ${last.epoch}`);
  return scatterWithFit({
    name,
    title: `Relational vs intrinsic importance, epoch ${last.epoch} (${what})`,
    x: s.relational,
    y: s.intrinsic,
    labels: run.expertIds,
    xTitle: 'relational importance u_j (incoming routing mass)',
    yTitle: 'intrinsic importance I (gradient norm)',
    fit: false,
  });
}
