/**
 * One colour per expert, the same in every figure: E3 is always the same colour whether it is a
 * bar, a line or a labelled point, so a reader can follow an expert from figure to figure.
 *
 * Ids of the form `E<n>` (every shipped consortium: E1..E10) take the n-th colour of Paul Tol's
 * colour-blind-safe "muted" scheme (nine colours) followed by a dark grey; other ids (e.g. the
 * replayed GPT-3 solvers) take a colour from a hash of the id, so the mapping never depends on
 * which experts a figure happens to show, or in which order.
 */

/** Paul Tol's "muted" qualitative scheme (colour-blind safe) plus dark grey as a tenth colour. */
export const EXPERT_PALETTE: readonly string[] = [
  '#332288', '#88CCEE', '#44AA99', '#117733', '#999933', '#DDCC77', '#CC6677', '#882255', '#AA4499', '#555555',
];

const NUMBERED = /^E(\d+)$/;

/** Whether `name` looks like an expert id that gets an expert colour (`E1`, `E10`, ...). */
export function isExpertId(name: string): boolean {
  return NUMBERED.test(name);
}

/** FNV-1a, for a stable colour of ids that are not numbered. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The colour of expert `id`, identical in every figure of every notebook. */
export function expertColor(id: string): string {
  const m = NUMBERED.exec(id);
  const n = EXPERT_PALETTE.length;
  const i = m ? (Number(m[1]) - 1) % n : hash(id) % n;
  return EXPERT_PALETTE[(i + n) % n];
}

/** The label an expert has in every figure: its id, as the consortium config spells it. */
export function expertLabel(id: string): string {
  return id;
}
