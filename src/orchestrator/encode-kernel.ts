/**
 * `encode` (prompt projection, routing adapter, the optional self-attention backbone) as ONE
 * tfjs operation with a hand-written backward pass (tf.customGrad), for the same reason as
 * route-kernel.ts: written with tfjs ops it is ~100 kernels forward and ~400 in the backward pass
 * and the gradient tape, each on a few thousand numbers.
 *
 * The matrix products run as tfjs matMuls (the wasm backend's SIMD GEMM; operands transposed on
 * the host rather than with matMul's transpose flags, which the wasm backend runs ~10x slower);
 * everything between them (biases, GELU, dropout, layer norms, the attention's softmax) runs as
 * host loops in float64. Ops inside a custom gradient are not recorded on the tape, so none of
 * this costs tape bookkeeping. `encodeByOps` in model.ts is the op-by-op reference;
 * test/orchestrator/encode-kernel.test.ts checks values and parameter gradients against it.
 *
 * Differentiable in the model's parameters only: the encodings (prompt, responses, oracle) and
 * the dropout mask are constants of the call (nothing differentiates with respect to them).
 */
import { hostView, tf } from './backend';
import { mmBackHost, mmBackHostSum, mmHost, mmHostMany, mmTransposedA, mmTransposedAMany, values } from './host-matmul';
import { attentionBackwardSimd, attentionKernelsFor, attentionSimd } from './attention-simd';

const ADAPTER_PARAMS = ['prompt.W', 'prompt.b', 'adapter.W1', 'adapter.b1', 'adapter.W2', 'adapter.b2'] as const;
const BACKBONE_PARAMS = ['backbone.ln1.g', 'backbone.ln1.b', 'backbone.Wq', 'backbone.bq', 'backbone.Wk', 'backbone.Wv', 'backbone.bv', 'backbone.Wo', 'backbone.bo', 'backbone.lnf.g', 'backbone.lnf.b'] as const;

export interface EncodeKernelInputs {
  ex: tf.Tensor2D;
  outputs: tf.Tensor3D;
  oracle?: tf.Tensor2D;
  dropoutMask?: tf.Tensor3D;
}

export interface EncodeKernelConfig {
  backbone: boolean;
  heads: number;
  /** additive attention mask per token [N+1] (0 or MASKED_LOGIT), or absent */
  keyMask?: number[];
}

export interface EncodeKernelResult {
  h: tf.Tensor3D;
  ctx: tf.Tensor2D;
  hAdapter: tf.Tensor3D;
  hOracle?: tf.Tensor2D;
}

export function addBias(a: Float32Array, rows: number, cols: number, b: Float32Array): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) a[r * cols + c] += b[c];
}

function colSum(a: Float32Array, rows: number, cols: number): tf.Tensor1D {
  const s = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) s[c] += a[r * cols + c];
  return tf.tensor1d(Float32Array.from(s));
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** The tanh inside GELU's tanh form, tanh(sqrt(2/pi) (a + 0.044715 a^3)), which its derivative reuses. */
function geluInnerTanh(a: number): number {
  return Math.tanh(GELU_C * (a + 0.044715 * a * a * a));
}

/** GELU, tanh form, on one value: the adapter's activation (model.ts gelu, op for op). */
export function geluTanh(a: number): number {
  return 0.5 * a * (1 + geluInnerTanh(a));
}

/**
 * geluTanh(a + b) per row of a [rows, cols] with the bias b [cols], as a new array; a + b is
 * rounded to float32 first, as addBias stores it, so the values are addBias then geluTanh. The
 * loop lives here, not in a caller: a call across modules under tsx goes through an export
 * getter per value (~15 ms per probe pass).
 */
export function biasGeluRows(a: Float32Array, rows: number, cols: number, b: Float32Array): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = geluTanh(Math.fround(a[r * cols + c] + b[c]));
  return out;
}

/**
 * Layer norm over rows of x [rows, d]: writes y, and keeps xhat and 1/sigma for the backward pass
 * where given (a read that runs no backward, as the probes' encodes, passes null).
 */
export function layerNormRows(x: Float32Array, rows: number, d: number, g: Float32Array, b: Float32Array, y: Float32Array, xhat: Float64Array | null, rstd: Float64Array | null): void {
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let mean = 0;
    for (let c = 0; c < d; c++) mean += x[o + c];
    mean /= d;
    let v = 0;
    for (let c = 0; c < d; c++) v += (x[o + c] - mean) * (x[o + c] - mean);
    const inv = 1 / Math.sqrt(v / d + 1e-5);
    if (rstd) rstd[r] = inv;
    for (let c = 0; c < d; c++) {
      const xh = (x[o + c] - mean) * inv;
      if (xhat) xhat[o + c] = xh;
      y[o + c] = xh * g[c] + b[c];
    }
  }
}

/** Backward of layerNormRows: returns dx; accumulates dg, db. */
function layerNormRowsBackward(dy: Float32Array, rows: number, d: number, g: Float32Array, xhat: Float64Array, rstd: Float64Array, dg: Float64Array, db: Float64Array): Float32Array {
  const dx = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let m1 = 0;
    let m2 = 0;
    for (let c = 0; c < d; c++) {
      const dxh = dy[o + c] * g[c];
      m1 += dxh;
      m2 += dxh * xhat[o + c];
      dg[c] += dy[o + c] * xhat[o + c];
      db[c] += dy[o + c];
    }
    m1 /= d;
    m2 /= d;
    for (let c = 0; c < d; c++) dx[o + c] = rstd[r] * (dy[o + c] * g[c] - m1 - xhat[o + c] * m2);
  }
  return dx;
}

/**
 * Multi-head attention core per item: out = softmax(q k^T / sqrt(dh) + keyMask) v. The loops
 * run along contiguous head slices, with two accumulators in the dot products (measured ~15%
 * faster forward and ~30% faster backward than one accumulator and a strided mix loop).
 */
export function attention(q: Float32Array, k: Float32Array, v: Float32Array, B: number, T: number, d: number, H: number, keyMask: number[] | undefined, att: Float64Array, out: Float32Array): void {
  const kernels = attentionKernelsFor(d, H);
  if (kernels) attentionSimd(kernels, q, k, v, B, T, d, H, keyMask, att, out);
  else attentionJs(q, k, v, B, T, d, H, keyMask, att, out);
}

/** The scalar loops of `attention` (the SIMD kernels' reference, and the path without them). */
export function attentionJs(q: Float32Array, k: Float32Array, v: Float32Array, B: number, T: number, d: number, H: number, keyMask: number[] | undefined, att: Float64Array, out: Float32Array): void {
  const dh = d / H;
  const scale = 1 / Math.sqrt(dh);
  const s = new Float64Array(T);
  const mix = new Float64Array(dh);
  for (let b = 0; b < B; b++) {
    for (let hh = 0; hh < H; hh++) {
      const ho = hh * dh;
      for (let t = 0; t < T; t++) {
        const qo = (b * T + t) * d + ho;
        let max = -Infinity;
        for (let u = 0; u < T; u++) {
          const ko = (b * T + u) * d + ho;
          let d0 = 0;
          let d1 = 0;
          let c = 0;
          for (; c + 1 < dh; c += 2) {
            d0 += q[qo + c] * k[ko + c];
            d1 += q[qo + c + 1] * k[ko + c + 1];
          }
          if (c < dh) d0 += q[qo + c] * k[ko + c];
          const x = (d0 + d1) * scale + (keyMask ? keyMask[u] : 0);
          s[u] = x;
          if (x > max) max = x;
        }
        let sum = 0;
        for (let u = 0; u < T; u++) {
          s[u] = Math.exp(s[u] - max);
          sum += s[u];
        }
        const ao = ((b * H + hh) * T + t) * T;
        mix.fill(0);
        for (let u = 0; u < T; u++) {
          const a = s[u] / sum;
          att[ao + u] = a;
          const uo = (b * T + u) * d + ho;
          for (let c = 0; c < dh; c++) mix[c] += a * v[uo + c];
        }
        for (let c = 0; c < dh; c++) out[qo + c] = mix[c];
      }
    }
  }
}

/** Backward of attention: dq, dk, dv from dOut (attention-simd.ts's kernels, or the scalar loops). */
export function attentionBackward(dOut: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, att: Float64Array, B: number, T: number, d: number, H: number): { dq: Float32Array; dk: Float32Array; dv: Float32Array } {
  const kernels = attentionKernelsFor(d, H);
  return kernels ? attentionBackwardSimd(kernels, dOut, q, k, v, att, B, T, d, H) : attentionBackwardJs(dOut, q, k, v, att, B, T, d, H);
}

/** The scalar loops of `attentionBackward`. */
export function attentionBackwardJs(dOut: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, att: Float64Array, B: number, T: number, d: number, H: number): { dq: Float32Array; dk: Float32Array; dv: Float32Array } {
  const dh = d / H;
  const scale = 1 / Math.sqrt(dh);
  const dq = new Float32Array(B * T * d);
  const dk = new Float32Array(B * T * d);
  const dv = new Float32Array(B * T * d);
  const dA = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let hh = 0; hh < H; hh++) {
      const ho = hh * dh;
      for (let t = 0; t < T; t++) {
        const to = (b * T + t) * d + ho;
        const ao = ((b * H + hh) * T + t) * T;
        let rowDot = 0;
        for (let u = 0; u < T; u++) {
          const uo = (b * T + u) * d + ho;
          const a = att[ao + u];
          let acc0 = 0;
          let acc1 = 0;
          let c = 0;
          for (; c + 1 < dh; c += 2) {
            const g0 = dOut[to + c];
            const g1 = dOut[to + c + 1];
            acc0 += g0 * v[uo + c];
            acc1 += g1 * v[uo + c + 1];
            dv[uo + c] += a * g0;
            dv[uo + c + 1] += a * g1;
          }
          if (c < dh) {
            acc0 += dOut[to + c] * v[uo + c];
            dv[uo + c] += a * dOut[to + c];
          }
          const acc = acc0 + acc1;
          dA[u] = acc;
          rowDot += acc * a;
        }
        for (let u = 0; u < T; u++) {
          const dS = att[ao + u] * (dA[u] - rowDot) * scale;
          if (dS === 0) continue;
          const uo = (b * T + u) * d + ho;
          for (let c = 0; c < dh; c++) {
            dq[to + c] += dS * k[uo + c];
            dk[uo + c] += dS * q[to + c];
          }
        }
      }
    }
  }
  return { dq, dk, dv };
}

/** Runs encode as one op. `params` holds the model's variables by name. */
export function encodeKernel(params: Record<string, tf.Tensor>, inputs: EncodeKernelInputs, cfg: EncodeKernelConfig): EncodeKernelResult {
  const [B, N, D] = inputs.outputs.shape;
  const d = params['adapter.W2'].shape[1] as number;
  const T = N + 1;
  const H = cfg.heads;
  const hasOracle = Boolean(inputs.oracle);
  const Ro = B * N; // response rows
  const R1 = Ro + (hasOracle ? B : 0); // adapter rows: responses, then oracles
  const names = [...ADAPTER_PARAMS, ...(cfg.backbone ? BACKBONE_PARAMS : [])];
  for (const n of names) if (!params[n]) throw new Error(`encode: missing parameter '${n}'`);
  const shapeOf = (t: tf.Tensor) => `[${t.shape}]`;
  if (inputs.ex.shape[0] !== B || inputs.ex.shape[1] !== D) throw new Error(`encode: ex has shape ${shapeOf(inputs.ex)}, expected [${B}, ${D}]`);
  if (inputs.oracle && (inputs.oracle.shape[0] !== B || inputs.oracle.shape[1] !== D)) throw new Error(`encode: oracle has shape ${shapeOf(inputs.oracle)}, expected [${B}, ${D}]`);
  if (inputs.dropoutMask && inputs.dropoutMask.size !== B * N * d) throw new Error(`encode: dropoutMask has shape ${shapeOf(inputs.dropoutMask)}, expected [${B}, ${N}, ${d}]`);
  if (params['prompt.W'].shape[0] !== D) throw new Error(`encode: the model reads ${params['prompt.W'].shape[0]}-dim encodings, the inputs have ${D}`);

  const exV = values(inputs.ex);
  const xin = new Float32Array(R1 * D);
  xin.set(hostView(inputs.outputs));
  if (inputs.oracle) xin.set(hostView(inputs.oracle), Ro * D);
  const mask = inputs.dropoutMask ? values(inputs.dropoutMask) : null;

  const forwardFn = (...ps: tf.Tensor[]) => {
    const P = Object.fromEntries(names.map((n, i) => [n, ps[i]])) as Record<string, tf.Tensor>;
    // Prompt projection and adapter.
    const ctx0 = mmHost(exV, B, D, P['prompt.W']);
    addBias(ctx0, B, d, values(P['prompt.b']));
    const A = mmHost(xin, R1, D, P['adapter.W1']);
    addBias(A, R1, d, values(P['adapter.b1']));
    const Gm = new Float32Array(R1 * d);
    const tanhA = new Float64Array(R1 * d); // kept for GELU's derivative in the backward pass
    for (let x = 0; x < R1 * d; x++) {
      const a = A[x];
      const th = geluInnerTanh(a);
      tanhA[x] = th;
      const gl = 0.5 * a * (1 + th); // geluTanh(a), its tanh kept
      Gm[x] = mask && x < Ro * d ? gl * mask[x] : gl;
    }
    const H0 = mmHost(Gm, R1, d, P['adapter.W2']);
    addBias(H0, R1, d, values(P['adapter.b2']));

    const packed = new Float32Array(2 * Ro * d + B * d + (hasOracle ? B * d : 0));
    const offCtx = Ro * d;
    const offHA = Ro * d + B * d;
    const offHO = 2 * Ro * d + B * d;
    packed.set(H0.subarray(0, Ro * d), offHA);
    if (hasOracle) packed.set(H0.subarray(Ro * d), offHO);

    let tape: {
      T0?: Float32Array; X1?: Float32Array; xhat1?: Float64Array; rstd1?: Float64Array; Q?: Float32Array; K?: Float32Array; V?: Float32Array;
      att?: Float64Array; Mx?: Float32Array; xhatf?: Float64Array; rstdf?: Float64Array;
    } = {};
    if (!cfg.backbone) {
      packed.set(H0.subarray(0, Ro * d), 0);
      packed.set(ctx0, offCtx);
    } else {
      const BT = B * T;
      const T0 = new Float32Array(BT * d);
      for (let b = 0; b < B; b++) {
        T0.set(ctx0.subarray(b * d, (b + 1) * d), b * T * d);
        T0.set(H0.subarray(b * N * d, (b + 1) * N * d), (b * T + 1) * d);
      }
      const X1 = new Float32Array(BT * d);
      const xhat1 = new Float64Array(BT * d);
      const rstd1 = new Float64Array(BT);
      layerNormRows(T0, BT, d, values(P['backbone.ln1.g']), values(P['backbone.ln1.b']), X1, xhat1, rstd1);
      // q, k and v as one product (mmHostMany).
      const [Q, K, V] = mmHostMany(X1, BT, d, [P['backbone.Wq'], P['backbone.Wk'], P['backbone.Wv']]);
      addBias(Q, BT, d, values(P['backbone.bq']));
      addBias(V, BT, d, values(P['backbone.bv']));
      const att = new Float64Array(B * H * T * T);
      const Mx = new Float32Array(BT * d);
      attention(Q, K, V, B, T, d, H, cfg.keyMask, att, Mx);
      const R = mmHost(Mx, BT, d, P['backbone.Wo']);
      addBias(R, BT, d, values(P['backbone.bo']));
      for (let x = 0; x < BT * d; x++) R[x] += T0[x];
      const Y = new Float32Array(BT * d);
      const xhatf = new Float64Array(BT * d);
      const rstdf = new Float64Array(BT);
      layerNormRows(R, BT, d, values(P['backbone.lnf.g']), values(P['backbone.lnf.b']), Y, xhatf, rstdf);
      for (let b = 0; b < B; b++) {
        packed.set(Y.subarray(b * T * d, b * T * d + d), offCtx + b * d);
        packed.set(Y.subarray((b * T + 1) * d, (b + 1) * T * d), b * N * d);
      }
      tape = { T0, X1, xhat1, rstd1, Q, K, V, att, Mx, xhatf, rstdf };
    }

    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const g = values(dy);
      const grads: Record<string, tf.Tensor> = {};
      const dctx0 = new Float32Array(B * d);
      const dH0 = new Float32Array(R1 * d);
      if (!cfg.backbone) {
        dctx0.set(g.subarray(offCtx, offCtx + B * d));
        for (let x = 0; x < Ro * d; x++) dH0[x] = g[x] + g[offHA + x];
      } else {
        const BT = B * T;
        const t = tape as Required<typeof tape>;
        const dY = new Float32Array(BT * d);
        for (let b = 0; b < B; b++) {
          dY.set(g.subarray(offCtx + b * d, offCtx + (b + 1) * d), b * T * d);
          dY.set(g.subarray(b * N * d, (b + 1) * N * d), (b * T + 1) * d);
        }
        const dgf = new Float64Array(d);
        const dbf = new Float64Array(d);
        const dR = layerNormRowsBackward(dY, BT, d, values(P['backbone.lnf.g']), t.xhatf, t.rstdf, dgf, dbf);
        grads['backbone.lnf.g'] = tf.tensor1d(Float32Array.from(dgf));
        grads['backbone.lnf.b'] = tf.tensor1d(Float32Array.from(dbf));
        grads['backbone.Wo'] = mmTransposedA(t.Mx, BT, d, dR, d);
        grads['backbone.bo'] = colSum(dR, BT, d);
        const dMx = mmBackHost(dR, BT, d, P['backbone.Wo'], d);
        const { dq, dk, dv } = attentionBackward(dMx, t.Q, t.K, t.V, t.att, B, T, d, H);
        [grads['backbone.Wq'], grads['backbone.Wk'], grads['backbone.Wv']] = mmTransposedAMany(t.X1, BT, d, [dq, dk, dv], d);
        grads['backbone.bq'] = colSum(dq, BT, d);
        grads['backbone.bv'] = colSum(dv, BT, d);
        const dX1 = mmBackHostSum([dq, dk, dv], BT, d, [P['backbone.Wq'], P['backbone.Wk'], P['backbone.Wv']], d);
        const dg1 = new Float64Array(d);
        const db1 = new Float64Array(d);
        const dT0 = layerNormRowsBackward(dX1, BT, d, values(P['backbone.ln1.g']), t.xhat1, t.rstd1, dg1, db1);
        grads['backbone.ln1.g'] = tf.tensor1d(Float32Array.from(dg1));
        grads['backbone.ln1.b'] = tf.tensor1d(Float32Array.from(db1));
        for (let x = 0; x < BT * d; x++) dT0[x] += dR[x]; // the residual path
        for (let b = 0; b < B; b++) {
          dctx0.set(dT0.subarray(b * T * d, b * T * d + d), b * d);
          for (let x = 0; x < N * d; x++) dH0[b * N * d + x] = dT0[(b * T + 1) * d + x] + g[offHA + b * N * d + x];
        }
      }
      if (hasOracle) dH0.set(g.subarray(offHO, offHO + B * d), Ro * d);
      grads['adapter.W2'] = mmTransposedA(Gm, R1, d, dH0, d);
      grads['adapter.b2'] = colSum(dH0, R1, d);
      const dG = mmBackHost(dH0, R1, d, P['adapter.W2'], d);
      for (let x = 0; x < R1 * d; x++) {
        const a = A[x];
        const th = tanhA[x];
        const dgelu = 0.5 * (1 + th) + 0.5 * a * (1 - th * th) * GELU_C * (1 + 3 * 0.044715 * a * a);
        dG[x] *= (mask && x < Ro * d ? mask[x] : 1) * dgelu;
      }
      grads['adapter.W1'] = mmTransposedA(xin, R1, D, dG, d);
      grads['adapter.b1'] = colSum(dG, R1, d);
      grads['prompt.W'] = mmTransposedA(exV, B, D, dctx0, d);
      grads['prompt.b'] = colSum(dctx0, B, d);
      return names.map((n) => grads[n]);
    };
    // Rows of d: h (B N rows), ctx (B), hAdapter (B N), hOracle (B); split along rows, ctx and
    // hOracle need no reshape (each reshape is a kernel, a saved copy and a backward op).
    return { value: tf.tensor2d(packed, [packed.length / d, d]), gradFunc };
  };
  const op = tf.customGrad(forwardFn as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...xs: tf.Tensor[]) => tf.Tensor2D;
  const packed = op(...names.map((n) => params[n]));
  const sizes = [Ro, B, Ro, ...(hasOracle ? [B] : [])];
  const [h, ctx, hAdapter, hOracle] = tf.split(packed, sizes, 0);
  return {
    h: h.reshape([B, N, d]),
    ctx: ctx as tf.Tensor2D,
    hAdapter: hAdapter.reshape([B, N, d]),
    ...(hOracle ? { hOracle: hOracle as tf.Tensor2D } : {}),
  };
}
