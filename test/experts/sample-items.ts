/** A few hand-written task items (original, in the benchmarks' formats) for the experts' tests. */
import type { Gsm8kItem, HumanEvalItem, MmluItem, TaskItem } from '../../src/tasks/types';

export const GSM8K_ITEMS: Gsm8kItem[] = [
  {
    task: 'gsm8k',
    id: 'sim-gsm8k-1',
    question: 'A baker makes 24 rolls in the morning and half as many in the afternoon. He sells 30 rolls. How many rolls are left?',
    answer: 'In the afternoon he makes 24/2 = <<24/2=12>>12 rolls.\nIn total he makes 24+12 = <<24+12=36>>36 rolls.\nAfter selling, 36-30 = <<36-30=6>>6 rolls are left.\n#### 6',
    gold: '6',
  },
  {
    task: 'gsm8k',
    id: 'sim-gsm8k-2',
    question: 'Mia reads 15 pages a day for 4 days and then 20 pages a day for 3 days. How many pages does she read in total?',
    answer: 'First she reads 15*4 = <<15*4=60>>60 pages.\nThen she reads 20*3 = <<20*3=60>>60 pages.\nAltogether she reads 60+60 = <<60+60=120>>120 pages.\n#### 120',
    gold: '120',
  },
  {
    task: 'gsm8k',
    id: 'sim-gsm8k-3',
    question: 'A shop sells pens at $3 each. Tom buys 7 pens and pays with a $50 bill. How much change does he get?',
    answer: 'The pens cost 7*3 = <<7*3=21>>21 dollars.\nHis change is 50-21 = <<50-21=29>>29 dollars.\n#### 29',
    gold: '29',
  },
];

export const MMLU_ITEMS: MmluItem[] = [
  {
    task: 'mmlu',
    id: 'sim-mmlu-1',
    subject: 'high_school_biology',
    question: 'Which organelle is the main site of aerobic respiration in eukaryotic cells?',
    choices: ['Ribosome', 'Mitochondrion', 'Golgi apparatus', 'Lysosome'],
    answer: 'B',
  },
  {
    task: 'mmlu',
    id: 'sim-mmlu-2',
    subject: 'high_school_physics',
    question: 'What is the SI unit of force?',
    choices: ['Joule', 'Watt', 'Pascal', 'Newton'],
    answer: 'D',
  },
];

export const HUMANEVAL_ITEMS: HumanEvalItem[] = [
  {
    task: 'humaneval',
    id: 'Sim/0',
    prompt: 'def count_evens(xs: list) -> int:\n    """Return how many numbers in xs are even.\n    >>> count_evens([1, 2, 4])\n    2\n    """\n',
    canonicalSolution: '    count = 0\n    for x in xs:\n        if x % 2 == 0:\n            count += 1\n    return count\n',
    test: 'def check(candidate):\n    assert candidate([1, 2, 4]) == 2\n    assert candidate([]) == 0\n    assert candidate([1, 3]) == 0\n    assert candidate([2, 2, 2, 5]) == 3\n',
    entryPoint: 'count_evens',
  },
  {
    task: 'humaneval',
    id: 'Sim/1',
    prompt: 'def below_limit(xs: list, limit: int) -> bool:\n    """True if every number in xs is strictly below limit.\n    >>> below_limit([1, 2], 3)\n    True\n    """\n',
    canonicalSolution: '    for x in xs:\n        if x >= limit:\n            return False\n    return True\n',
    test: 'def check(candidate):\n    assert candidate([1, 2], 3) is True\n    assert candidate([1, 3], 3) is False\n    assert candidate([], 0) is True\n    assert candidate([5, 1], 4) is False\n',
    entryPoint: 'below_limit',
  },
];

export const ALL_ITEMS: TaskItem[] = [...GSM8K_ITEMS, ...MMLU_ITEMS, ...HUMANEVAL_ITEMS];
