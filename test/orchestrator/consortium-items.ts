/** Generated GSM8K- and MMLU-style items for the orchestrator's consortium test (original text). */
import type { Choice, Gsm8kItem, MmluItem, TaskItem } from '../../src/tasks/types';

/** `n` items, alternating a two-step arithmetic word problem and a four-option question. */
export function consortiumItems(n: number): TaskItem[] {
  const letters: Choice[] = ['A', 'B', 'C', 'D'];
  return Array.from({ length: n }, (_, i): TaskItem => {
    if (i % 2 === 0) {
      const crates = 2 + (i % 9);
      const per = 3 + (i % 6);
      const broken = 1 + (i % 4);
      const total = crates * per;
      const item: Gsm8kItem = {
        task: 'gsm8k',
        id: `orch-gsm8k-${i}`,
        question: `A grocer receives ${crates} crates holding ${per} melons each. ${broken} melons are bruised and thrown out. How many melons can the grocer sell?`,
        answer: `The crates hold ${crates}*${per} = <<${crates}*${per}=${total}>>${total} melons.\nAfter removing the bruised ones, ${total}-${broken} = <<${total}-${broken}=${total - broken}>>${total - broken} remain.\n#### ${total - broken}`,
        gold: String(total - broken),
      };
      return item;
    }
    const item: MmluItem = {
      task: 'mmlu',
      id: `orch-mmlu-${i}`,
      subject: i % 4 === 1 ? 'astronomy' : 'high_school_geography',
      question: `Practice question ${i}: which of the listed statements is the keyed answer?`,
      choices: [`statement one (${i})`, `statement two (${i})`, `statement three (${i})`, `statement four (${i})`],
      answer: letters[(i * 5) % 4],
    };
    return item;
  });
}
