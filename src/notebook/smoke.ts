/**
 * The smoke notebook's workload: a logistic regression trained for a few steps with tfjs on a
 * seeded two-blob toy dataset. Small enough for seconds on any backend, real enough to prove
 * that the notebook can import from src/, pick a backend, run autodiff and an optimizer.
 */
import { ensureBackend, tf, type BackendChoice } from '../orchestrator/backend';
import { mulberry32 } from '../stats/seeded-random';

/** Options of {@link trainToyLogistic}. */
export interface ToyTrainingOptions {
  /** points per class (default 64) */
  perClass?: number;
  /** optimizer steps, full batch (default 40) */
  steps?: number;
  /** Adam learning rate (default 0.1) */
  learningRate?: number;
  /** seed of the dataset (default 7) */
  seed?: number;
  /** called after each step, e.g. to update a progress line */
  onStep?: (step: number, loss: number) => void;
}

/** One step of the training curve. */
export interface ToyStep {
  step: number;
  loss: number;
  accuracy: number;
}

/** What {@link trainToyLogistic} returns. */
export interface ToyTrainingResult {
  backend: BackendChoice;
  history: ToyStep[];
  /** learned weights [w1, w2] and bias */
  weights: [number, number];
  bias: number;
}


/**
 * Two Gaussian blobs in 2-D, centred at (-1,-1) (label 0) and (1,1) (label 1), unit variance,
 * so a linear classifier separates them well but not perfectly.
 */
export function toyBlobs(perClass: number, seed: number): { x: number[][]; y: number[] } {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const x: number[][] = [];
  const y: number[] = [];
  for (let label = 0; label < 2; label++) {
    const c = label === 0 ? -1 : 1;
    for (let i = 0; i < perClass; i++) {
      x.push([c + gauss(), c + gauss()]);
      y.push(label);
    }
  }
  return { x, y };
}

/** Trains the logistic regression with Adam on the full batch and records loss and accuracy per step. */
export async function trainToyLogistic(opts: ToyTrainingOptions = {}): Promise<ToyTrainingResult> {
  const backend = await ensureBackend(undefined, () => undefined);
  const steps = opts.steps ?? 40;
  const data = toyBlobs(opts.perClass ?? 64, opts.seed ?? 7);
  const xs = tf.tensor2d(data.x);
  const ys = tf.tensor2d(data.y, [data.y.length, 1]);
  // Zero start: the first loss is exactly ln 2, a visible sanity check on the curve.
  const variable = (shape: number[]) => {
    const init = tf.zeros(shape);
    const v = tf.variable(init);
    init.dispose(); // the variable keeps its own reference to the data
    return v;
  };
  const w = variable([2, 1]);
  const b = variable([1]);
  const optimizer = tf.train.adam(opts.learningRate ?? 0.1);
  const history: ToyStep[] = [];
  try {
    for (let step = 1; step <= steps; step++) {
      // Accuracy and loss both describe the parameters before this step's update.
      const accuracy = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.greater(tf.add(tf.matMul(xs, w), b), 0), tf.cast(ys, 'bool')), 'float32')));
      const lossTensor = optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(ys, tf.add(tf.matMul(xs, w), b)), true);
      if (!lossTensor) throw new Error('optimizer returned no loss');
      const loss = (await lossTensor.data())[0];
      history.push({ step, loss, accuracy: (await accuracy.data())[0] });
      tf.dispose([lossTensor, accuracy]);
      opts.onStep?.(step, loss);
    }
    const wv = await w.data();
    const bv = await b.data();
    return { backend, history, weights: [wv[0], wv[1]], bias: bv[0] };
  } finally {
    tf.dispose([xs, ys, w, b]);
    optimizer.dispose();
  }
}

/**
 * Throws unless training did what it must on this separable toy problem: the loss fell and the
 * final accuracy is well above chance. Makes a headless run fail loudly when tfjs misbehaves.
 */
export function assertToyTrainingLearned(result: ToyTrainingResult, minAccuracy = 0.8): void {
  const first = result.history[0];
  const last = result.history[result.history.length - 1];
  if (!first || !last) throw new Error('toy training recorded no steps');
  if (!(last.loss < first.loss)) throw new Error(`toy training did not learn: loss ${first.loss} -> ${last.loss}`);
  if (!(last.accuracy >= minAccuracy)) throw new Error(`toy training accuracy ${last.accuracy} is below ${minAccuracy}`);
}
