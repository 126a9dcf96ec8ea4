/**
 * Notebook 05 (Table 8, Figure 8, Table 11; Section 4.5, Appendix J.2): masking the
 * top-intrinsic expert against masking the most frequently routed one, sequence and routing KL
 * over epochs, paired tests over epochs, the paper's values beside the workbench's, the null
 * preset as negative control, and recovery of the planted necessity through the accuracy cost of
 * masking the planted hub and critical expert. Pure functions of paper runs.
 */
import { pairedOverEpochs, type MaskingSummary } from '../probes/masking';
import { taskTruthOf } from '../probes/recovery';
import { tConfidenceInterval } from '../stats/t-confidence-interval';
import { type FindingRow, groupsOf, runsOf } from './paper-findings';
import { maskedExpertRecovery, necessityOrderRecovered } from './paper-recovery';
import type { PaperRun } from './paper-runs';
import { PAPER_TABLE11, PAPER_TABLE8 } from './paper-values';

const r4 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : Number.NaN);
const mean = (v: readonly number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN);
const yn = (b: boolean) => (b ? 'yes' : 'no');
/** 3 significant digits: conditional KLs can be 1e-5 where raw ones are 0.1 */
const g3 = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 0.01 ? x.toFixed(3) : x.toPrecision(3));
const pm = (m: number, e: number) => (Number.isFinite(e) ? `${g3(m)} ± ${g3(e)}` : g3(m));
const fmtP = (p: number | null | undefined) => (p === null || p === undefined ? 'n/a' : p.toPrecision(3));

/** The masking summary of one target at one epoch for the run's task (undefined when not probed). */
export function maskingAt(run: PaperRun, epoch: number, target: string): MaskingSummary | undefined {
  return run.probes.epochs.find((e) => e.epoch === epoch)?.masking?.find((m) => m.task === run.spec.task && m.target === target);
}

/** Training epochs (>= 1) with masking probes. */
export function maskedEpochs(run: PaperRun): number[] {
  return run.probes.epochs.filter((e) => e.epoch >= 1 && e.masking?.length).map((e) => e.epoch).sort((a, b) => a - b);
}

/** Per run, epoch and masking target: which expert, KL readings and accuracy change. */
export function maskingRows(runs: readonly PaperRun[]): FindingRow[] {
  return runs.flatMap((run) =>
    run.probes.epochs.flatMap((e) =>
      (e.masking ?? [])
        .filter((m) => m.task === run.spec.task)
        .map((m) => ({
          preset: run.spec.preset,
          task: run.spec.task,
          seed: run.spec.seed,
          epoch: e.epoch,
          target: m.target,
          'masked expert': run.consortium.experts[m.masked],
          'KL(sequence) (nats)': r4(m.klSequence),
          'KL(routing) (nats)': r4(m.klRouting),
          'raw KL(sequence) (nats)': r4(m.rawKlSequence),
          'raw KL(routing) (nats)': r4(m.rawKlRouting),
          'accuracy change': r4(m.accuracyChange),
        })),
    ),
  );
}

/** Mean ± 95% t interval over the training epochs of one masking reading of a target (probes' Table 8 when conditional). */
export function maskingInterval(run: PaperRun, target: string, measure: 'klSequence' | 'klRouting' | 'rawKlSequence' | 'rawKlRouting'): { mean: number; ci95: number } | null {
  const v = maskedEpochs(run).flatMap((e) => {
    const m = maskingAt(run, e, target);
    return m && Number.isFinite(m[measure]) ? [m[measure]] : [];
  });
  if (v.length === 0) return null;
  if (v.length === 1) return { mean: v[0], ci95: Number.NaN };
  const ci = tConfidenceInterval(v);
  return { mean: ci.mean, ci95: ci.halfWidth };
}

/**
 * Table 8 per task: masking the top-intrinsic expert, mean KL ± 95% t interval over the training
 * epochs, conditional (the probes' default; the removed expert's own mass left out) and raw (the
 * removed mass counted), for the preset and the control at one seed, beside the paper's.
 */
export function table8Rows(runs: readonly PaperRun[], preset: string, control: string, seed: number): FindingRow[] {
  const tasks = [...new Set(groupsOf(runs).filter((g) => g.preset === preset).map((g) => g.task))];
  const cell = (run: PaperRun | undefined, m: 'klSequence' | 'klRouting' | 'rawKlSequence' | 'rawKlRouting') => {
    const x = run ? maskingInterval(run, 'top-intrinsic', m) : null;
    return x ? pm(x.mean, x.ci95) : '';
  };
  return tasks.map((task) => {
    const a = runsOf(runs, preset, task).find((r) => r.spec.seed === seed);
    const c = runsOf(runs, control, task).find((r) => r.spec.seed === seed);
    const paper = (PAPER_TABLE8 as Record<string, (typeof PAPER_TABLE8)['gsm8k']>)[task];
    return {
      task,
      [`KL(sequence) ${preset}`]: cell(a, 'klSequence'),
      [`KL(routing) ${preset}`]: cell(a, 'klRouting'),
      [`raw KL(sequence) ${preset}`]: cell(a, 'rawKlSequence'),
      [`raw KL(routing) ${preset}`]: cell(a, 'rawKlRouting'),
      [`KL(sequence) ${control} (control)`]: cell(c, 'klSequence'),
      [`KL(routing) ${control} (control)`]: cell(c, 'klRouting'),
      [`raw KL(sequence) ${control} (control)`]: cell(c, 'rawKlSequence'),
      [`raw KL(routing) ${control} (control)`]: cell(c, 'rawKlRouting'),
      'paper KL(sequence)': paper ? pm(paper.klSequence, paper.klSequenceCi95) : '',
      'paper KL(routing)': paper ? pm(paper.klRouting, paper.klRoutingCi95) : '',
    };
  });
}

/**
 * Table 11 per preset, task and seed: routing KL masking the top-intrinsic vs the top-relational
 * (most frequently routed) expert, mean ± sd over epochs, Wilcoxon and paired-t p (the probes'
 * pairedOverEpochs), beside the paper's row for the task.
 */
export function table11Rows(runs: readonly PaperRun[]): FindingRow[] {
  return runs.flatMap((run) => {
    const p = run.probes.paired.find((x) => x.task === run.spec.task && x.measure === 'klRouting' && x.xName === 'top-intrinsic' && x.yName === 'top-relational');
    if (!p) return [];
    const paper = (PAPER_TABLE11 as Record<string, (typeof PAPER_TABLE11)['gsm8k']>)[run.spec.task];
    return [
      {
        preset: run.spec.preset,
        task: run.spec.task,
        seed: run.spec.seed,
        'intrinsic masking': pm(p.meanX, p.sdX),
        'frequent masking': pm(p.meanY, p.sdY),
        'Wilcoxon p': fmtP(p.wilcoxonP),
        'paired t p': fmtP(p.tTestP),
        ...rawPaired(run),
        'paper intrinsic': paper ? pm(paper.intrinsic, paper.intrinsicSd) : '',
        'paper frequent': paper ? pm(paper.frequent, paper.frequentSd) : '',
        'paper Wilcoxon p': paper ? paper.wilcoxonP : '',
        'paper paired t p': paper ? paper.tTestP : '',
        ...(p.note ? { note: p.note } : {}),
      },
    ];
  });
}

/** Table 11's comparison on the raw routing KL (the removed expert's mass counted), paired over epochs. */
function rawPaired(run: PaperRun): FindingRow {
  const epochs = maskedEpochs(run);
  const x = epochs.map((e) => maskingAt(run, e, 'top-intrinsic')?.rawKlRouting ?? Number.NaN);
  const y = epochs.map((e) => maskingAt(run, e, 'top-relational')?.rawKlRouting ?? Number.NaN);
  if (epochs.length < 2 || [...x, ...y].some((v) => !Number.isFinite(v))) return {};
  const p = pairedOverEpochs(run.spec.task, 'rawKlRouting', 'top-intrinsic', 'top-relational', epochs, x, y);
  return { 'raw: intrinsic masking': pm(p.meanX, p.sdX), 'raw: frequent masking': pm(p.meanY, p.sdY), 'raw: Wilcoxon p': fmtP(p.wilcoxonP), 'raw: paired t p': fmtP(p.tTestP) };
}

/**
 * Accuracy cost of masking the planted hub and the planted critical expert (the runs mask both at
 * every epoch): masked minus unmasked accuracy, paired over the training epochs, scored against
 * the planted necessity by maskedExpertRecovery; and whether the more necessary of the two costs
 * more (necessityOrderRecovered).
 */
export function maskingRecoveryRows(runs: readonly PaperRun[]): FindingRow[] {
  return runs.flatMap((run) => {
    if (!run.truth) return [];
    const task = run.spec.task;
    const truth = taskTruthOf(run.truth, task);
    const ids = run.consortium.experts;
    const epochs = maskedEpochs(run);
    const experts = [...new Set([truth.hub, ...(truth.critical ? [truth.critical] : [])])];
    const per = experts.flatMap((id) => {
      const ms = epochs.map((e) => maskingAt(run, e, `expert-${ids.indexOf(id)}`));
      if (ms.some((m) => !m) || epochs.length < 2) return [];
      const masked = ms.map((m) => m!.maskedAccuracy);
      const base = ms.map((m) => m!.baselineAccuracy);
      const test = pairedOverEpochs(task, 'accuracy', `masked ${id}`, 'unmasked', epochs, masked, base);
      const ps = [test.tTestP, test.wilcoxonP].filter((x): x is number => x !== null);
      const rec = maskedExpertRecovery(id, truth.necessity?.[id] ?? 0, mean(masked) - mean(base), ps.length ? Math.min(...ps) : null);
      return [{ id, rec }];
    });
    // exchangeable experts (every planted usage equal) name a hub only by tie-break
    const usage = Object.values(truth.usage ?? {});
    const hubPlanted = usage.length > 0 && Math.max(...usage) - Math.min(...usage) > 1e-9;
    const hub = per.find((x) => x.id === truth.hub);
    const crit = truth.critical && truth.critical !== truth.hub ? per.find((x) => x.id === truth.critical) : undefined;
    const order = hub && crit ? necessityOrderRecovered({ necessity: crit.rec.plantedNecessity, accuracyChange: crit.rec.meanAccuracyChange }, { necessity: hub.rec.plantedNecessity, accuracyChange: hub.rec.meanAccuracyChange }) : null;
    return per.map(({ id, rec }) => ({
      preset: run.spec.preset,
      task,
      seed: run.spec.seed,
      'masked expert': id,
      role: [id === truth.hub ? (hubPlanted ? 'planted hub' : 'first expert (no hub planted)') : '', id === truth.critical ? 'planted critical' : ''].filter(Boolean).join(', '),
      'planted necessity': r4(rec.plantedNecessity),
      'planted necessary': yn(rec.plantedNecessary),
      'mean accuracy change': r4(rec.meanAccuracyChange),
      'p (min of paired t, Wilcoxon)': rec.pValue === null ? '' : r4(rec.pValue),
      'measured drop': yn(rec.measuredDrop),
      recovered: yn(rec.recovered),
      'more necessary costs more': order === null ? '' : yn(order),
    }));
  });
}

/** The closing statement, generated from maskingRecoveryRows (never written by hand). */
export function maskingStatement(runs: readonly PaperRun[]): string {
  const rows = maskingRecoveryRows(runs);
  return groupsOf(runs)
    .flatMap(({ preset, task }) => {
      const rs = rows.filter((r) => r.preset === preset && r.task === task);
      const run = runsOf(runs, preset, task)[0];
      if (rs.length === 0 || !run?.truth) return [];
      const planted = run.truth.expected[task as keyof typeof run.truth.expected]?.summary ?? '';
      const experts = [...new Set(rs.map((r) => String(r['masked expert'])))];
      const parts = experts.map((id) => {
        const e = rs.filter((r) => r['masked expert'] === id);
        const n = e.length;
        const k = e.filter((r) => r.recovered === 'yes').length;
        return `masking ${id} (${e[0].role}, planted necessity ${e[0]['planted necessity']}, ${e[0]['planted necessary'] === 'yes' ? 'a drop expected' : 'no drop expected'}) matched the planted verdict in ${k}/${n} seeds (mean change ${r4(mean(e.map((r) => r['mean accuracy change'] as number)))})`;
      });
      const ord = rs.filter((r) => r['more necessary costs more'] !== '');
      const seeds = [...new Set(ord.map((r) => r.seed))];
      const orderTxt = seeds.length ? `; the more necessary expert cost more accuracy in ${seeds.filter((s) => ord.find((r) => r.seed === s)?.['more necessary costs more'] === 'yes').length}/${seeds.length} seeds` : '';
      return [`- **${preset} / ${task}** (simulated${preset === 'null' ? ', negative control' : ''}). Planted: ${planted}. Recovered: ${parts.join('; ')}${orderTxt}.`];
    })
    .join('\n');
}
