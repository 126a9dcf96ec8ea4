/**
 * A small seeded random number generator whose whole state is four 32-bit words, so a checkpoint
 * can store it and a resumed run draws exactly the numbers an uninterrupted run would have drawn.
 *
 * Algorithm: sfc32 (Chris Doty-Humphrey's "small fast chaotic" generator), seeded through
 * splitmix32 so that nearby integer seeds give unrelated streams. All randomness in the
 * orchestrator (weight initialisation, shuffling, dropout masks, Gumbel noise) comes from here;
 * tfjs's own random ops are never used, because their state cannot be saved.
 */
export type RngState = [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Seeds from an integer (any JS number; only its low 32 bits are used). */
  constructor(seed: number) {
    const sm = splitmix32(seed);
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm();
    for (let i = 0; i < 12; i++) this.nextUint32(); // warm up, as recommended for sfc32
  }

  /** Rebuilds a generator from a saved `state()`. */
  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    [r.a, r.b, r.c, r.d] = state.map((x) => x >>> 0) as RngState;
    return r;
  }

  /** The four state words; `Rng.fromState(r.state())` continues the same stream. */
  state(): RngState {
    return [this.a, this.b, this.c, this.d];
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in the open interval (0, 1): never exactly 0 or 1, so logs stay finite. */
  uniform(): number {
    return (this.nextUint32() + 0.5) / 4294967296;
  }

  /** Standard normal draw (Box-Muller; one of the pair is used so the state stays four words). */
  normal(): number {
    const u1 = this.uniform();
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Standard Gumbel draw: -log(-log U). */
  gumbel(): number {
    return -Math.log(-Math.log(this.uniform()));
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Fisher-Yates shuffle of a copy of `xs`. */
  shuffle<T>(xs: readonly T[]): T[] {
    const out = xs.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** Fills a Float32Array of length n with draws from `draw`. */
  fill(n: number, draw: (r: Rng) => number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = draw(this);
    return out;
  }
}
