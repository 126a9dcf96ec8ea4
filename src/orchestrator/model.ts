/**
 * The learned orchestrator of Section 2.1, in one file, top to bottom:
 *
 *   1. parameters        names, shapes and seeded initial values
 *   2. encode()          e_x, o_1..o_N  ->  ctx (prompt context), h_1..h_N (expert representations)
 *                        routing adapter (with dropout) and an optional self-attention backbone
 *   3. route()           h, ctx  ->  collaboration matrix C, scores, a step-by-step rollout of the
 *                        chain with stop probabilities, and the expected final expert
 *   4. forward()         encode + route, returning every intermediate by name (ForwardCache)
 *
 * Conventions. B = batch, N = experts, D = encoder dim, d = routing dim, k = rolled-out steps.
 * All randomness (dropout masks, Gumbel noise) is passed in as tensors, so the model itself is a
 * pure function of (parameters, inputs, noise) — which is what makes training reproducible and
 * lets gradient checks and the PyTorch reference run the exact same computation with noise off.
 *
 * Scores. At step t (1-based) the logit of expert i is
 *     a_i(x) + phi_i + 1/2 sum_j (C_ij + C_ji) - gamma * t  [+ log C_{prev,i} when t > 1]
 * with experts already in the chain (or masked by the caller) excluded. The successor term
 * log C_{prev,i} makes the step distribution proportional to exp(score_i) * C_{prev,i}: the
 * previous expert's row of C acts as a prior over who comes next. A learned stop logit
 * (from the prompt context) competes with the experts from step 2 on, so the chain length is
 * itself a learned, differentiable decision and gamma * t makes stopping likelier as t grows.
 * a_i(x) = (W_a ctx + b_a)_i projects only the prompt (Section 2.1: "the projection of the encoded
 * input"). The config flag `selectionReadsH` adds r . h_i, a read-out of expert i's own
 * representation; with it, d log P / d h_i = (1[i chosen] - p_i) r, so gradient-based importance
 * tracks selection frequency by construction (docs/decisions.md).
 */
import { tf } from './backend';
import type { ModelConfig } from './config';
import { Rng } from './rng';
import { encodeKernel } from './encode-kernel';
import { ROUTE_FIELDS, routeFieldSizes, routeKernel, type RouteField } from './route-kernel';

/** A logit this negative has probability exactly 0 after softmax in float32. */
export const MASKED_LOGIT = -1e9;

// ---------------------------------------------------------------------------------------------
// 1. Parameters
// ---------------------------------------------------------------------------------------------

/** How a parameter is initialised. */
type Init = { kind: 'uniform'; fanIn: number } | { kind: 'const'; value: number };

/** Every parameter of the model, in a fixed order (the order of the checkpoint's weight file). */
export function parameterSpecs(cfg: ModelConfig): Array<{ name: string; shape: number[]; init: Init }> {
  const { inputDim: D, hidden: d, nExperts: N } = cfg;
  const w = (name: string, shape: number[], fanIn: number) => ({ name, shape, init: { kind: 'uniform', fanIn } as Init });
  const c = (name: string, shape: number[], value: number) => ({ name, shape, init: { kind: 'const', value } as Init });
  const specs = [
    // prompt projection: e_x -> ctx
    w('prompt.W', [D, d], D), c('prompt.b', [d], 0),
    // routing adapter: o_i -> h_i (two layers, GELU, dropout between them)
    w('adapter.W1', [D, d], D), c('adapter.b1', [d], 0),
    w('adapter.W2', [d, d], d), c('adapter.b2', [d], 0),
  ];
  if (cfg.backbone) {
    specs.push(
      c('backbone.ln1.g', [d], 1), c('backbone.ln1.b', [d], 0),
      w('backbone.Wq', [d, d], d), c('backbone.bq', [d], 0),
      w('backbone.Wk', [d, d], d), // no key bias: softmax over keys is invariant to it (zero gradient)
      w('backbone.Wv', [d, d], d), c('backbone.bv', [d], 0),
      w('backbone.Wo', [d, d], d), c('backbone.bo', [d], 0),
      c('backbone.lnf.g', [d], 1), c('backbone.lnf.b', [d], 0),
    );
  }
  specs.push(
    // interaction module C(x)
    w('collab.Wq', [d, d], d), w('collab.Wk', [d, d], d), c('collab.lambda', [], 1),
    // selection module: a_i(x) = (W_a ctx + b_a)_i [+ r . h_i with selectionReadsH], quality scalars phi_i
    w('select.Wa', [d, N], d), c('select.ba', [N], 0), ...(cfg.selectionReadsH ? [w('select.r', [d], d)] : []), c('select.phi', [N], 0),
    // stop head
    w('stop.w', [d], d), c('stop.b', [], 0),
  );
  return specs;
}

/** Initial parameter values drawn from `rng` (uniform in +-1/sqrt(fan_in) for weights, as PyTorch). */
export function initialParameters(cfg: ModelConfig, rng: Rng): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const spec of parameterSpecs(cfg)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const init = spec.init;
    out[spec.name] =
      init.kind === 'const'
        ? new Float32Array(n).fill(init.value)
        : rng.fill(n, (r) => (2 * r.uniform() - 1) / Math.sqrt(init.fanIn));
  }
  return out;
}

/** The model: its config and its trainable variables by name. */
export interface OrchestratorModel {
  config: ModelConfig;
  params: Record<string, tf.Variable>;
}

let modelCount = 0;

/** Builds a model from given parameter values, or freshly initialised from an Rng or a seed. */
export function createModel(cfg: ModelConfig, values: Record<string, Float32Array> | Rng | number): OrchestratorModel {
  const init = typeof values === 'number' ? initialParameters(cfg, new Rng(values)) : values instanceof Rng ? initialParameters(cfg, values) : values;
  const params: Record<string, tf.Variable> = {};
  for (const spec of parameterSpecs(cfg)) {
    const v = init[spec.name];
    if (!v) throw new Error(`orchestrator parameters: missing '${spec.name}'`);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (v.length !== n) throw new Error(`orchestrator parameters: '${spec.name}' has ${v.length} values, expected ${n} (shape [${spec.shape}])`);
    const initial = tf.tensor(v, spec.shape, 'float32');
    params[spec.name] = tf.variable(initial, true, `orchestrator-${++modelCount}/${spec.name}`); // tfjs needs globally unique names
    initial.dispose(); // the variable holds its own reference to the data
  }
  return { config: cfg, params };
}

/** Copies every parameter out of the model (e.g. for a checkpoint or the PyTorch reference). */
export function readParameters(model: OrchestratorModel): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(model.params)) out[name] = v.dataSync().slice() as Float32Array;
  return out;
}

/** Frees the model's variables. */
export function disposeModel(model: OrchestratorModel): void {
  for (const v of Object.values(model.params)) v.dispose();
}

// ---------------------------------------------------------------------------------------------
// 2. Encode: adapter and backbone
// ---------------------------------------------------------------------------------------------

/** What the model reads for a batch of items. */
export interface ModelInputs {
  /** prompt encodings e_x, [B, D] */
  ex: tf.Tensor2D;
  /** expert response encodings o_1..o_N, [B, N, D] */
  outputs: tf.Tensor3D;
  /** oracle encodings o*, [B, D]: when given, `encode` also maps them through the adapter (distillation) */
  oracle?: tf.Tensor2D;
}

/**
 * x @ W for 2-D x, with a hand-written gradient that uses only untransposed matrix products
 * and transposes of the small operands: the wasm backend's matMul with a transpose flag (what
 * tfjs's own gradient uses) is ~10x slower than a plain one for the [rows, 768] x [768, 256]
 * shapes here. Same mathematics: dx = (W dy^T)^T, dW = x^T dy.
 */
const matMulFastGrad = tf.customGrad(((x: tf.Tensor, W: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, W]);
  return {
    value: tf.matMul(x as tf.Tensor2D, W as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, Ws] = saved as tf.Tensor2D[];
      const dyT = tf.transpose(dy as tf.Tensor2D);
      return [tf.transpose(tf.matMul(Ws, dyT)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor, W: tf.Tensor) => tf.Tensor;

/** x @ W + b over the last axis, for inputs of rank 2 or 3. */
function linear(x: tf.Tensor, W: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const shape = x.shape;
  const flat = x.reshape([-1, shape[shape.length - 1]]);
  let y: tf.Tensor = matMulFastGrad(flat, W);
  if (b) y = tf.add(y, b);
  return y.reshape([...shape.slice(0, -1), W.shape[1] as number]);
}

/** GELU, tanh form (written out so the PyTorch reference computes the identical function). */
function gelu(x: tf.Tensor): tf.Tensor {
  const c = Math.sqrt(2 / Math.PI);
  const inner = tf.mul(c, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.div(centred, tf.sqrt(tf.add(variance, 1e-5))), g), b);
}

/** Multi-head self-attention over tokens [B, T, d]. */
function selfAttention(x: tf.Tensor3D, p: Record<string, tf.Variable>, heads: number, keyMask?: tf.Tensor): tf.Tensor3D {
  const [B, T, d] = x.shape;
  const dh = d / heads;
  const split = (t: tf.Tensor) => t.reshape([B, T, heads, dh]).transpose([0, 2, 1, 3]); // [B, H, T, dh]
  const q = split(linear(x, p['backbone.Wq'], p['backbone.bq']));
  const k = split(linear(x, p['backbone.Wk']));
  const v = split(linear(x, p['backbone.Wv'], p['backbone.bv']));
  let scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(dh));
  if (keyMask) scores = tf.add(scores, keyMask); // [T]: MASKED_LOGIT on the keys of masked experts
  const att = tf.softmax(scores, -1);
  const mixed = tf.matMul(att, v).transpose([0, 2, 1, 3]).reshape([B, T, d]);
  return linear(mixed, p['backbone.Wo'], p['backbone.bo']) as tf.Tensor3D;
}

/** Options of `encode`. */
export interface EncodeOptions {
  /**
   * Dropout mask for the adapter's hidden layer, [B, N, d], entries 0 or 1/(1-p) (inverted
   * dropout). Absent: no dropout (evaluation).
   */
  dropoutMask?: tf.Tensor3D;
  /**
   * experts present (length N); a masked expert's token is removed from the backbone's attention
   * (no other token attends to it), so its response cannot reach anyone's representation
   */
  available?: boolean[];
}

/** What `encode` returns. */
export type Encoded = {
  /** expert representations in the routing space (after the backbone when it is on), [B, N, d] */
  h: tf.Tensor3D;
  /** prompt context, [B, d] */
  ctx: tf.Tensor2D;
  /** the routing adapter's outputs, before the backbone, [B, N, d] (the distillation's space) */
  hAdapter: tf.Tensor3D;
  /** the oracle encoding through the same adapter (no dropout), [B, d]; present when inputs.oracle is */
  hOracle?: tf.Tensor2D;
};

/** The routing adapter: o -> W_2 dropout(GELU(W_1 o + b_1)) + b_2, over the last axis. */
function adapter(p: Record<string, tf.Variable>, o: tf.Tensor, dropoutMask?: tf.Tensor): tf.Tensor {
  let hidden = gelu(linear(o, p['adapter.W1'], p['adapter.b1']));
  if (dropoutMask) hidden = tf.mul(hidden, dropoutMask);
  return linear(hidden, p['adapter.W2'], p['adapter.b2']);
}

/**
 * Maps encodings to the routing space: ctx [B, d] for the prompt, h [B, N, d] for the experts.
 * Runs as one hand-differentiated op (encode-kernel.ts), which computes exactly what
 * `encodeByOps` computes op by op (test/orchestrator/encode-kernel.test.ts); differentiable in
 * the parameters (the encodings and the dropout mask are constants).
 */
export function encode(model: OrchestratorModel, inputs: ModelInputs, opts: EncodeOptions = {}): Encoded {
  const N = model.config.nExperts;
  if (opts.available && opts.available.length !== N) throw new Error(`encode: 'available' has ${opts.available.length} entries, expected ${N}`);
  const keyMask = model.config.backbone && opts.available && opts.available.some((a) => !a) ? [0, ...opts.available.map((a) => (a ? 0 : MASKED_LOGIT))] : undefined;
  return encodeKernel(model.params, { ex: inputs.ex, outputs: inputs.outputs, oracle: inputs.oracle, dropoutMask: opts.dropoutMask }, { backbone: model.config.backbone, heads: model.config.heads, keyMask }) as Encoded;
}

/** `encode` written op by op with tfjs's autodiff: the reference the fused op is tested against. */
export function encodeByOps(model: OrchestratorModel, inputs: ModelInputs, opts: EncodeOptions = {}): Encoded {
  const p = model.params;
  const N = model.config.nExperts;
  const ctx0 = linear(inputs.ex, p['prompt.W'], p['prompt.b']) as tf.Tensor2D;
  const h0 = adapter(p, inputs.outputs, opts.dropoutMask) as tf.Tensor3D;
  const hOracle = inputs.oracle ? (adapter(p, inputs.oracle) as tf.Tensor2D) : undefined;
  const extra = { hAdapter: h0, ...(hOracle ? { hOracle } : {}) };
  if (!model.config.backbone) return { h: h0, ctx: ctx0, ...extra };
  if (opts.available && opts.available.length !== N) throw new Error(`encode: 'available' has ${opts.available.length} entries, expected ${N}`);

  // Pre-norm residual self-attention over the N+1 tokens [ctx; h_1..h_N], then a final norm.
  const keyMask = opts.available && opts.available.some((a) => !a) ? tf.tensor1d([0, ...opts.available.map((a) => (a ? 0 : MASKED_LOGIT))]) : undefined;
  const tokens = tf.concat([ctx0.expandDims(1), h0], 1) as tf.Tensor3D;
  const attended = tf.add(tokens, selfAttention(layerNorm(tokens, p['backbone.ln1.g'], p['backbone.ln1.b']) as tf.Tensor3D, p, model.config.heads, keyMask));
  const out = layerNorm(attended, p['backbone.lnf.g'], p['backbone.lnf.b']) as tf.Tensor3D;
  const ctx = out.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]) as tf.Tensor2D;
  const h = out.slice([0, 1, 0], [-1, N, -1]) as tf.Tensor3D;
  return { h, ctx, ...extra };
}

// ---------------------------------------------------------------------------------------------
// 3. Route: interaction module, selection module, rollout
// ---------------------------------------------------------------------------------------------

/** Which parts of the score are used (the paper's relational-only / intrinsic-only ablations). */
export type ScoreParts = 'full' | 'relational-only' | 'intrinsic-only';

/** Options of `route` (and `forward`). */
export interface RouteOptions {
  /** number of chain steps to roll out (the adaptive top-k in training; max chain length at inference) */
  steps: number;
  /** Gumbel-softmax temperature for the relaxed selections (default 1) */
  tau?: number;
  /** Gumbel noise [B, steps, N]; absent means none (deterministic: the path follows the argmax) */
  gumbel?: tf.Tensor3D;
  /**
   * experts that may be chosen (length N); a false entry masks that expert out of selection and
   * out of C (its column and its row). Passed to `forward`, it also removes the expert from the
   * backbone's attention (see EncodeOptions).
   */
  available?: boolean[];
  /** force the choice at (item, step): an expert index, or -1 to let the model decide; shape [B][<= steps] */
  forcedChain?: number[][];
  /** replace C(x) by this matrix [B, N, N] or [N, N] (rows sum to 1, diagonal 0) — e.g. the static-uniform ablation */
  collabOverride?: tf.Tensor;
  /** drop the relational or the intrinsic part of the score (ablations); default: the model config's scoreParts */
  scoreParts?: ScoreParts;
}

/**
 * Every intermediate of a forward pass, by name. Tensors are owned by the caller: free them with
 * `disposeCache` (or run inside `tf.tidy`).
 */
export interface ForwardCache {
  /** expert representations h_i in the routing space, [B, N, d] */
  h: tf.Tensor3D;
  /** prompt context in the routing space, [B, d] */
  ctx: tf.Tensor2D;
  /** the adapter's outputs before the backbone, [B, N, d] */
  hAdapter: tf.Tensor3D;
  /** the oracle through the adapter, [B, d] (present when the inputs carry an oracle) */
  hOracle?: tf.Tensor2D;
  /** pre-softmax interaction logits Q K^T / sqrt(d) + lambda * CosSim(h), diagonal masked, [B, N, N] */
  collabLogits: tf.Tensor3D;
  /** row-wise log of C, [B, N, N] (diagonal ~ -1e9) */
  logC: tf.Tensor3D;
  /** collaboration matrix C(x): row i is expert i's distribution over successors, [B, N, N] */
  C: tf.Tensor3D;
  /** 1/2 sum_j (C_ij + C_ji), [B, N] */
  connectivity: tf.Tensor2D;
  /** a_i(x) + phi_i: the input- and quality-driven part of the score, [B, N] */
  intrinsicScore: tf.Tensor2D;
  /** score before position penalty, successor term and masking, [B, N] */
  baseScore: tf.Tensor2D;
  /** logit of stopping the chain, [B] */
  stopLogit: tf.Tensor1D;
  /** per-step logits over [expert_1..expert_N, stop], masking applied, [B, k, N+1] */
  stepLogits: tf.Tensor3D;
  /** softmax of stepLogits: joint probability of each expert or of stopping at step t, [B, k, N+1] */
  stepProbs: tf.Tensor3D;
  /** log P(expert i at step t | the chain continues), [B, k, N] */
  expertLogProbs: tf.Tensor3D;
  /** Gumbel-softmax relaxed selection y_t (equals softmax(logits / tau) without noise), [B, k, N] */
  relaxedSelection: tf.Tensor3D;
  /** the expert taken at each step along the rolled-out path (int32), [B, k] */
  chosen: tf.Tensor2D;
  /** log P(chosen expert at step t | continue): what intrinsic importance differentiates, [B, k] */
  logProbSelected: tf.Tensor2D;
  /**
   * 1 where argmax inference would take step t, else 0 (a constant, no gradient), [B, k]: step 1
   * always; a later step while every stop probability so far is < 1/2, and always within a
   * forcedChain row's length (a forced chain is run in full)
   */
  stepMask: tf.Tensor2D;
  /** P(stop before step t), 0 at t = 1, [B, k] */
  stopProb: tf.Tensor2D;
  /** P(the chain has exactly t experts), sums to 1 over t, [B, k] */
  halting: tf.Tensor2D;
  /** distribution of the final expert: sum_t halting_t * y_t, [B, N] */
  finalDist: tf.Tensor2D;
  /** E[K], the expected number of experts called, [B] */
  expectedLength: tf.Tensor1D;
  /** s(x): the first-step selection distribution, [B, N] */
  s: tf.Tensor2D;
  /** number of rolled-out steps k */
  steps: number;
}

/** Frees every tensor of a cache. */
export function disposeCache(cache: ForwardCache): void {
  for (const v of Object.values(cache)) if (v instanceof tf.Tensor) v.dispose();
}

/** Cosine similarity between all pairs of rows, [B, N, N]. */
function pairwiseCosine(h: tf.Tensor3D): tf.Tensor3D {
  const unit = tf.div(h, tf.sqrt(tf.add(tf.sum(tf.square(h), -1, true), 1e-8)));
  return tf.matMul(unit, unit, false, true) as tf.Tensor3D;
}

/** A forced chain must name available experts, each at most once per item. */
function validateForcedChain(chain: number[][], B: number, N: number, available: boolean[]): void {
  if (chain.length !== B) throw new Error(`route: forcedChain has ${chain.length} rows, the batch ${B} items`);
  chain.forEach((row, b) => {
    const seen = new Set<number>();
    row.forEach((e, t) => {
      if (e === -1) return;
      if (!Number.isInteger(e) || e < 0 || e >= N) throw new Error(`route: forcedChain[${b}][${t}] = ${e} is not an expert index (0..${N - 1}) or -1`);
      if (!available[e]) throw new Error(`route: forcedChain[${b}][${t}] forces expert ${e}, which is masked`);
      if (seen.has(e)) throw new Error(`route: forcedChain[${b}] uses expert ${e} twice`);
      seen.add(e);
    });
  });
}

/** What `route` returns: every routed quantity of ForwardCache. */
export type Routed = Omit<ForwardCache, 'h' | 'ctx' | 'hAdapter' | 'hOracle'>;

/** Route options checked and resolved against the model (shared by both implementations of route). */
function resolveRouteOptions(model: OrchestratorModel, B: number, opts: RouteOptions) {
  const N = model.config.nExperts;
  const available = opts.available ?? new Array<boolean>(N).fill(true);
  if (available.length !== N) throw new Error(`route: 'available' has ${available.length} entries, expected ${N}`);
  const nAvailable = available.filter(Boolean).length;
  if (nAvailable === 0) throw new Error('route: every expert is masked');
  const steps = Math.min(opts.steps, nAvailable);
  if (steps < 1) throw new Error(`route: steps must be >= 1 (got ${opts.steps})`);
  if (opts.forcedChain) validateForcedChain(opts.forcedChain, B, N, available);
  const parts: ScoreParts = opts.scoreParts ?? model.config.scoreParts ?? 'full';
  return { available, nAvailable, steps, tau: opts.tau ?? 1, parts };
}

/**
 * Everything downstream of the representations. Taking h and ctx as arguments (instead of the
 * encodings) is what lets probes differentiate a selection's log-probability with respect to h_i.
 *
 * The interaction module (Q, K included), the selection scores, the stop logit and the whole
 * rollout are one hand-differentiated op (route-kernel.ts),
 * which computes exactly what `routeByOps` computes op by op (test/orchestrator/route-kernel.test.ts).
 */
export function route(model: OrchestratorModel, h: tf.Tensor3D, ctx: tf.Tensor2D, opts: RouteOptions): Routed {
  const p = model.params;
  const { nExperts: N, lengthPenalty: gamma } = model.config;
  const B = h.shape[0];
  const { available, steps, tau, parts } = resolveRouteOptions(model, B, opts);
  const heads = { ctx, Wa: p['select.Wa'], ba: p['select.ba'], phi: p['select.phi'], stopW: p['stop.w'], stopB: p['stop.b'], ...(model.config.selectionReadsH ? { r: p['select.r'] } : {}) };
  const { packed, chosen, stepMask } = routeKernel(h, p['collab.Wq'], p['collab.Wk'], p['collab.lambda'], heads, {
    steps,
    gamma,
    tau,
    parts,
    available,
    gumbel: opts.gumbel,
    forcedChain: opts.forcedChain,
    collabOverride: opts.collabOverride,
  });
  const sizes = routeFieldSizes(N, steps);
  const pieces = tf.split(packed, ROUTE_FIELDS.map((f) => sizes[f]), 1);
  // A reshape is a kernel (and, under a gradient tape, a saved copy and a backward op): skipped
  // where the split piece [B, size] already has the field's shape.
  const field = (f: RouteField, shape: number[]) => {
    const piece = pieces[ROUTE_FIELDS.indexOf(f)];
    return piece.shape.length === shape.length && piece.shape.every((x, i) => x === shape[i]) ? piece : piece.reshape(shape);
  };
  return {
    collabLogits: field('collabLogits', [B, N, N]) as tf.Tensor3D,
    logC: field('logC', [B, N, N]) as tf.Tensor3D,
    C: field('C', [B, N, N]) as tf.Tensor3D,
    connectivity: field('connectivity', [B, N]) as tf.Tensor2D,
    intrinsicScore: field('intrinsicScore', [B, N]) as tf.Tensor2D,
    baseScore: field('baseScore', [B, N]) as tf.Tensor2D,
    stopLogit: field('stopLogit', [B]) as tf.Tensor1D,
    stepLogits: field('stepLogits', [B, steps, N + 1]) as tf.Tensor3D,
    stepProbs: field('stepProbs', [B, steps, N + 1]) as tf.Tensor3D,
    expertLogProbs: field('expertLogProbs', [B, steps, N]) as tf.Tensor3D,
    relaxedSelection: field('relaxedSelection', [B, steps, N]) as tf.Tensor3D,
    chosen,
    logProbSelected: field('logProbSelected', [B, steps]) as tf.Tensor2D,
    stepMask,
    stopProb: field('stopProb', [B, steps]) as tf.Tensor2D,
    halting: field('halting', [B, steps]) as tf.Tensor2D,
    finalDist: field('finalDist', [B, N]) as tf.Tensor2D,
    expectedLength: field('expectedLength', [B]) as tf.Tensor1D,
    s: field('s', [B, N]) as tf.Tensor2D,
    steps,
  };
}

/**
 * `route` written op by op with tfjs's autodiff: the reference the fused routing op is tested
 * against (same values, same gradients), ~10x more kernels.
 */
export function routeByOps(model: OrchestratorModel, h: tf.Tensor3D, ctx: tf.Tensor2D, opts: RouteOptions): Routed {
  const p = model.params;
  const { nExperts: N, hidden: d, lengthPenalty: gamma } = model.config;
  const B = h.shape[0];
  const { available, nAvailable, steps, tau, parts } = resolveRouteOptions(model, B, opts);
  const availMask = tf.tensor1d(available.map((a) => (a ? 0 : MASKED_LOGIT)));

  // Interaction module: C(x) = rowsoftmax(Q K^T / sqrt(d) + lambda * CosSim(h)), no self-transition.
  const q = linear(h, p['collab.Wq']);
  const k = linear(h, p['collab.Wk']);
  const diagMask = tf.mul(tf.eye(N), MASKED_LOGIT);
  let collabLogits = tf.add(tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(d)), tf.mul(p['collab.lambda'], pairwiseCosine(h))), diagMask) as tf.Tensor3D;
  collabLogits = tf.add(collabLogits, availMask) as tf.Tensor3D; // no transitions into a masked expert
  let logC = tf.logSoftmax(collabLogits, -1) as tf.Tensor3D;
  let C = tf.exp(logC) as tf.Tensor3D;
  // A masked expert has no outgoing row either: it would otherwise still add C_ij to the others' connectivity.
  if (nAvailable < N) C = tf.mul(C, tf.tensor1d(available.map((a) => (a ? 1 : 0))).reshape([1, N, 1])) as tf.Tensor3D;
  if (opts.collabOverride) {
    C = tf.broadcastTo(opts.collabOverride, [B, N, N]) as tf.Tensor3D;
    logC = tf.log(tf.add(C, tf.mul(tf.eye(N), 1e-30))) as tf.Tensor3D; // keep the diagonal finite
  }
  const connectivity = tf.mul(0.5, tf.add(tf.sum(C, 2), tf.sum(C, 1))) as tf.Tensor2D;

  // Selection module.
  const promptScore = linear(ctx, p['select.Wa'], p['select.ba']);
  const inputScore = model.config.selectionReadsH ? tf.add(promptScore, tf.sum(tf.mul(h, p['select.r']), -1)) : promptScore;
  const intrinsicScore = tf.add(inputScore, p['select.phi']) as tf.Tensor2D;
  const baseScore = (parts === 'relational-only' ? connectivity : parts === 'intrinsic-only' ? intrinsicScore : tf.add(intrinsicScore, connectivity)) as tf.Tensor2D;
  const stopLogit = tf.add(tf.sum(tf.mul(ctx, p['stop.w']), -1), p['stop.b']) as tf.Tensor1D;
  const useSuccessor = parts !== 'intrinsic-only';

  // Rollout.
  let taken = tf.zeros([B, N]); // 1 where the expert is already in the chain
  let prev: tf.Tensor | null = null; // one-hot of the previous expert, [B, N]
  const stepLogits: tf.Tensor[] = [];
  const stepProbs: tf.Tensor[] = [];
  const expertLogProbs: tf.Tensor[] = [];
  const relaxed: tf.Tensor[] = [];
  const chosen: tf.Tensor[] = [];
  const logProbSelected: tf.Tensor[] = [];
  const stopProb: tf.Tensor[] = [];
  for (let t = 1; t <= steps; t++) {
    let logits = tf.add(tf.sub(baseScore, gamma * t), tf.add(availMask, tf.mul(taken, MASKED_LOGIT)));
    if (prev && useSuccessor) logits = tf.add(logits, tf.squeeze(tf.matMul(prev.expandDims(1), logC), [1])); // log C_{prev, i}
    const stop = t === 1 ? tf.fill([B], MASKED_LOGIT) : stopLogit;
    const joint = tf.concat([logits, stop.expandDims(1)], 1);
    const probs = tf.softmax(joint, -1);
    const logp = tf.logSoftmax(logits, -1);
    const noisy = opts.gumbel ? tf.add(logits, opts.gumbel.slice([0, t - 1, 0], [-1, 1, -1]).squeeze([1])) : logits;
    const y = tf.softmax(tf.div(noisy, tau), -1);
    let pick = tf.argMax(noisy, -1);
    const forced = opts.forcedChain?.map((row) => (t - 1 < row.length ? row[t - 1] : -1));
    if (forced && forced.some((f) => f >= 0)) {
      // A forced expert may not repeat one the model chose freely earlier in the same chain.
      const takenNow = taken.arraySync() as number[][];
      forced.forEach((e, b) => {
        if (e >= 0 && takenNow[b][e] > 0) throw new Error(`route: forcedChain[${b}][${t - 1}] forces expert ${e}, which item ${b}'s chain already took at an earlier step`);
      });
      const f = tf.tensor1d(forced.map((x) => Math.max(x, 0)), 'int32');
      pick = tf.where(tf.tensor1d(forced.map((x) => x >= 0), 'bool'), f, pick);
    }
    const onehot = tf.oneHot(pick, N).toFloat();
    stepLogits.push(joint);
    stepProbs.push(probs);
    expertLogProbs.push(logp);
    relaxed.push(y);
    chosen.push(pick);
    logProbSelected.push(tf.sum(tf.mul(onehot, logp), -1));
    stopProb.push(probs.slice([0, N], [-1, 1]).squeeze([1]));
    taken = tf.add(taken, onehot);
    prev = onehot;
  }

  // Step mask: the steps argmax inference takes (a forced chain's steps always count).
  const stopValues = tf.stack(stopProb, 1).arraySync() as number[][];
  const stepMask = stopValues.map((row, b) => {
    const forcedLen = opts.forcedChain ? opts.forcedChain[b].length : 0;
    let going = true;
    return row.map((pStop, t) => {
      if (t > 0 && t >= forcedLen && pStop >= 0.5) going = false;
      return going ? 1 : 0;
    });
  });

  // Halting: the chain has exactly t experts when it continued through t and stops before t+1.
  const halting: tf.Tensor[] = [];
  let survive: tf.Tensor = tf.ones([B]);
  for (let t = 0; t < steps; t++) {
    survive = tf.mul(survive, tf.sub(1, stopProb[t]));
    halting.push(t + 1 < steps ? tf.mul(survive, stopProb[t + 1]) : survive);
  }
  const haltingT = tf.stack(halting, 1) as tf.Tensor2D;
  const relaxedT = tf.stack(relaxed, 1) as tf.Tensor3D;
  const finalDist = tf.sum(tf.mul(haltingT.expandDims(2), relaxedT), 1) as tf.Tensor2D;
  const positions = tf.range(1, steps + 1);
  const expectedLength = tf.sum(tf.mul(haltingT, positions), 1) as tf.Tensor1D;
  const expertLogProbsT = tf.stack(expertLogProbs, 1) as tf.Tensor3D;

  return {
    collabLogits,
    logC,
    C,
    connectivity,
    intrinsicScore,
    baseScore,
    stopLogit,
    stepLogits: tf.stack(stepLogits, 1) as tf.Tensor3D,
    stepProbs: tf.stack(stepProbs, 1) as tf.Tensor3D,
    expertLogProbs: expertLogProbsT,
    relaxedSelection: relaxedT,
    chosen: tf.stack(chosen, 1) as tf.Tensor2D,
    logProbSelected: tf.stack(logProbSelected, 1) as tf.Tensor2D,
    stepMask: tf.tensor2d(stepMask, [B, steps]),
    stopProb: tf.stack(stopProb, 1) as tf.Tensor2D,
    halting: haltingT,
    finalDist,
    expectedLength,
    s: tf.exp(expertLogProbsT.slice([0, 0, 0], [-1, 1, -1]).squeeze([1])) as tf.Tensor2D,
    steps,
  };
}

// ---------------------------------------------------------------------------------------------
// 4. Forward
// ---------------------------------------------------------------------------------------------

/** Options of `forward`: routing options plus the adapter's dropout mask. */
export type ForwardOptions = RouteOptions & EncodeOptions;

/**
 * The whole model on a batch. Intermediate tensors that are not returned are freed; the returned
 * cache must be disposed by the caller (or the call wrapped in tf.tidy).
 */
export function forward(model: OrchestratorModel, inputs: ModelInputs, opts: ForwardOptions): ForwardCache {
  const kept: ForwardCache = tf.tidy(() => {
    const enc = encode(model, inputs, opts);
    const rest = route(model, enc.h, enc.ctx, opts);
    return { ...enc, ...rest } as unknown as tf.TensorContainerObject;
  }) as unknown as ForwardCache;
  return kept;
}

/**
 * Sum over the steps inference would take (`stepMask`) of log P(chosen expert | x, chain so far),
 * per item [B], as a function of the expert representations h. With `forcedChain` it scores a
 * given chain (all of its steps); `tf.grad` of its sum with respect to h gives the gradients the
 * intrinsic-importance probe needs.
 */
export function selectionLogProbFromH(model: OrchestratorModel, h: tf.Tensor3D, ctx: tf.Tensor2D, opts: RouteOptions): tf.Tensor1D {
  return tf.tidy(() => {
    const r = route(model, h, ctx, opts);
    return tf.sum(tf.mul(r.logProbSelected, r.stepMask), 1) as tf.Tensor1D;
  });
}
