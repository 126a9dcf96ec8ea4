/**
 * The consortium side of a probe pass: from a run folder that `inform generate` filled (run.json,
 * the transcript store, the encoding cache), the inputs of the perturbation, cascade and
 * mixture-of-agents probes, and the chain runner that scores masked and ablated chains by running
 * them (a replay consortium cannot generate new chain steps: its runner is the labelled data
 * fallback). Every generation goes through the run's transcript store and every
 * encoding through its encoding cache, so a second pass generates and encodes nothing.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cachedEncoder, EncodingCache } from '../encoders/cache';
import { hashingEncoder } from '../encoders/hashing';
import type { Encoder } from '../encoders/types';
import { standalonePrompt } from '../experts/chain';
import { loadConsortium, type Consortium } from '../experts/consortium';
import { collectResponses } from '../experts/generate';
import { loadManifestItems, readRunManifest } from '../experts/run-manifest';
import { TranscriptStore } from '../experts/store/transcript-store';
import { withStore } from '../experts/store/stored-expert';
import { formatTaskPrompt } from '../experts/task-prompt';
import type { RoutingDataset } from '../orchestrator/dataset';
import { gradeResponse } from '../tasks/grade-response';
import type { PerturbationName } from '../tasks/perturb';
import type { TaskItem } from '../tasks/types';
import type { CascadeItem } from './cascade';
import { consortiumChainRunner, dataChainRunner } from './chain-runner';
import { defaultMoaConfigs, moaProbe } from './moa';
import { buildPerturbedItems } from './perturbations';
import type { ProbeContext } from './run-probes';

export interface RunContextOptions {
  /** the routing split the probes read (default 'test'; 'all' = every item) */
  split?: 'train' | 'test' | 'all';
  perturbations?: readonly PerturbationName[];
  seed?: number;
  /** MoA: proposers per configuration (default 3), aggregator expert id (default the first), items (default 30) */
  moa?: { k?: number; aggregator?: string; items?: number };
  onProgress?: (what: string, done: number, total: number) => void;
}

/** A loaded context; `close()` releases the store, the cache and the consortium. */
export interface RunContext extends ProbeContext {
  consortium: Consortium;
  items: TaskItem[];
  close(): Promise<void>;
}

/** The encoder the routing dataset was built with (only the hashing encoder is rebuilt here). */
function encoderOf(dataset: RoutingDataset): Encoder {
  const h = hashingEncoder({ dim: dataset.dim });
  const name = dataset.meta?.encoder;
  if (name !== undefined && name !== h.name) throw new Error(`probes: the routing dataset was encoded with '${String(name)}'; the probes can rebuild only '${h.name}' — perturbation probes need the same encoder`);
  return h;
}

/** Loads the context of a run folder, or returns undefined when it has no run.json / transcripts. */
export async function loadRunContext(runDir: string, dataset: RoutingDataset, opts: RunContextOptions = {}): Promise<RunContext | undefined> {
  const manifest = readRunManifest(runDir);
  if (!manifest || !fs.existsSync(path.join(runDir, 'transcripts.jsonl'))) return undefined;
  const allItems = await loadManifestItems(runDir, manifest);
  const inData = new Set(dataset.items.map((it) => it.id));
  const items = allItems.filter((it) => inData.has(it.id));
  const consortium = loadConsortium(manifest.consortium.source);
  const ids = consortium.experts.map((e) => e.id);
  if (ids.join('\u0000') !== dataset.expertIds.join('\u0000')) {
    await consortium.dispose();
    throw new Error(`probes: the run's consortium has experts [${ids.join(', ')}], its routing dataset [${dataset.expertIds.join(', ')}]`);
  }
  const store = TranscriptStore.open(runDir);
  const cache = EncodingCache.open(runDir);
  const experts = consortium.experts.map((e) => withStore(e, store));
  const encoder = cachedEncoder(encoderOf(dataset), cache);
  const byId = new Map(items.map((it) => [it.id, it]));
  const split = opts.split ?? 'test';
  const fingerprint = crypto.createHash('sha256').update(JSON.stringify([manifest.consortium, ids, items.map((it) => it.id), split, opts.seed ?? 0, opts.moa ?? null, opts.perturbations ?? null])).digest('hex').slice(0, 16);
  const inSplit = dataset.items.filter((it) => split === 'all' || (it.split ?? 'train') === split);
  const splitItems = (wanted: readonly { id: string }[]) => wanted.map((w) => byId.get(w.id)).filter((x): x is TaskItem => x !== undefined);
  const replay = consortium.config.experts.filter((e) => e.backend === 'replay').map((e) => e.id);
  const chainRunner = replay.length
    ? dataChainRunner(`graded from the routing dataset: replay experts (${replay.join(', ')}) cannot generate chain steps that were not recorded`)
    : consortiumChainRunner({ expertIds: dataset.expertIds, experts: consortium.experts, store, items });
  return {
    consortium,
    items,
    fingerprint,
    chainRunner,
    perturbed: async () =>
      buildPerturbedItems(splitItems(inSplit), dataset.items, experts, encoder, {
        perturbations: opts.perturbations,
        seed: opts.seed,
        onProgress: (d, t) => opts.onProgress?.('perturbed answers', d, t),
      }),
    cascadeItems: async () => {
      const test = splitItems(inSplit);
      const rows = collectResponses(store, consortium, test);
      return rows.map((row): CascadeItem => ({
        id: row.item.id,
        task: row.item.task,
        entropies: row.responses.map((r) => {
          if (!r.tokenEntropies || r.tokenEntropies.length === 0) throw new Error(`probes: cascade needs token entropies; expert ${r.expertId} on item ${row.item.id} has none (its backend does not report them)`);
          return r.tokenEntropies.reduce((a, b) => a + b, 0) / r.tokenEntropies.length;
        }),
        correct: row.responses.map((r) => (r.correct ? 1 : 0)),
      }));
    },
    moa: async () => {
      const test = splitItems(inSplit).slice(0, opts.moa?.items ?? 30);
      const aggregator = opts.moa?.aggregator ?? ids[0];
      if (!ids.includes(aggregator)) throw new Error(`probes: MoA aggregator '${aggregator}' is not an expert (experts: ${ids.join(', ')})`);
      return moaProbe(experts, test, defaultMoaConfigs(ids, aggregator, { k: opts.moa?.k ?? 3, seed: opts.seed }), {
        taskText: formatTaskPrompt,
        proposerPrompt: standalonePrompt,
        seed: opts.seed,
        grade: (it, text) => gradeResponse(it, text),
        encode: (texts) => encoder.encode(texts),
        onProgress: (d, t) => opts.onProgress?.('MoA runs', d, t),
      });
    },
    async close() {
      cache.close();
      store.close();
      await consortium.dispose();
    },
  };
}
