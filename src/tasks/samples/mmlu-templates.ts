/**
 * The bundled MMLU-style questions, written for this project. Numeric subjects are generated
 * from templates whose correct option is computed (distractors are typical mistakes); factual
 * subjects are short hand-written banks. Option order is shuffled by the seeded generator.
 */
import type { Rng } from './rng';

/** One generated question before it is written as a CSV row. */
export interface GeneratedMmlu {
  subject: string;
  question: string;
  choices: [string, string, string, string];
  /** index 0-3 of the correct option */
  answer: number;
}

/** Shuffles the correct option in among three distinct distractors. */
function options(rng: Rng, subject: string, question: string, correct: string, distractors: string[]): GeneratedMmlu {
  const unique = [...new Set(distractors.filter((d) => d !== correct))];
  if (unique.length < 3) throw new Error(`mmlu template '${subject}': fewer than 3 distinct distractors for "${question}"`);
  const picked = rng.shuffle(unique).slice(0, 3);
  const all = rng.shuffle([correct, ...picked]);
  return { subject, question, choices: [all[0], all[1], all[2], all[3]], answer: all.indexOf(correct) };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const num = (x: number) => String(round2(x));

type Generator = (rng: Rng) => GeneratedMmlu;

const elementaryMath: Generator[] = [
  (rng) => {
    const [a, b] = [rng.int(12, 99), rng.int(3, 19)];
    return options(rng, 'elementary_mathematics', `What is ${a} × ${b}?`, String(a * b), [String(a * b + b), String(a * b - a), String(a + b), String(a * (b + 1))]);
  },
  (rng) => {
    const pct = rng.pick([5, 15, 30, 35, 60, 75]);
    const n = rng.int(2, 20) * 20;
    const v = (pct * n) / 100;
    return options(rng, 'elementary_mathematics', `What is ${pct}% of ${n}?`, num(v), [num(v * 2), num(n - v), num(v / 2), num(pct + n / 10)]);
  },
  (rng) => {
    const [a, b, c] = [rng.int(2, 9), rng.int(2, 9), rng.int(2, 9)];
    return options(rng, 'elementary_mathematics', `What is the value of ${a} + ${b} × ${c}?`, String(a + b * c), [String((a + b) * c), String(a * b + c), String(a + b + c), String(a * b * c)]);
  },
  (rng) => {
    const [w, h] = [rng.int(3, 15), rng.int(3, 15)];
    return options(rng, 'elementary_mathematics', `A rectangle is ${w} cm long and ${h} cm wide. What is its perimeter?`, `${2 * (w + h)} cm`, [`${w * h} cm`, `${w + h} cm`, `${2 * w + h} cm`, `${4 * w} cm`]);
  },
];

const physics: Generator[] = [
  (rng) => {
    const [a, t] = [rng.int(2, 6), rng.int(3, 10)];
    return options(rng, 'high_school_physics', `A cart starts from rest and accelerates uniformly at ${a} m/s² for ${t} s. What is its final speed?`, `${a * t} m/s`, [`${(a * t * t) / 2} m/s`, `${a + t} m/s`, `${a * t * 2} m/s`, `${a} m/s`]);
  },
  (rng) => {
    const [r, i] = [rng.int(2, 20) * 5, rng.int(1, 4)];
    return options(rng, 'high_school_physics', `A current of ${i} A flows through a ${r} Ω resistor. What is the voltage across it?`, `${r * i} V`, [`${r / i} V`, `${r + i} V`, `${r * i * i} W`, `${(r * i) / 2} V`]);
  },
  (rng) => {
    const [m, v] = [rng.int(2, 10), rng.int(2, 8) * 2];
    return options(rng, 'high_school_physics', `What is the kinetic energy of a ${m} kg ball moving at ${v} m/s?`, `${(m * v * v) / 2} J`, [`${m * v * v} J`, `${m * v} J`, `${(m * v) / 2} J`, `${m * v * v * 2} J`]);
  },
  (rng) => {
    const [m, h] = [rng.int(2, 12), rng.int(2, 15)];
    return options(rng, 'high_school_physics', `Taking g = 10 m/s², how much gravitational potential energy does a ${m} kg box gain when lifted ${h} m?`, `${m * h * 10} J`, [`${m * h} J`, `${m * 10} J`, `${(m * h * 10) / 2} J`, `${m + h + 10} J`]);
  },
];

const ATOMIC: Record<string, number> = { H: 1.008, C: 12.011, N: 14.007, O: 15.999, Na: 22.99, Cl: 35.45, S: 32.06, Ca: 40.078 };
const COMPOUNDS: Array<[string, string, Record<string, number>]> = [
  ['water', 'H₂O', { H: 2, O: 1 }],
  ['carbon dioxide', 'CO₂', { C: 1, O: 2 }],
  ['methane', 'CH₄', { C: 1, H: 4 }],
  ['sodium chloride', 'NaCl', { Na: 1, Cl: 1 }],
  ['ammonia', 'NH₃', { N: 1, H: 3 }],
  ['sulfuric acid', 'H₂SO₄', { H: 2, S: 1, O: 4 }],
  ['calcium carbonate', 'CaCO₃', { Ca: 1, C: 1, O: 3 }],
  ['glucose', 'C₆H₁₂O₆', { C: 6, H: 12, O: 6 }],
];
const molarMass = (f: Record<string, number>) => Object.entries(f).reduce((s, [el, n]) => s + ATOMIC[el] * n, 0);

const chemistry: Generator[] = [
  (rng) => {
    const [name, formula, f] = rng.pick(COMPOUNDS);
    const m = molarMass(f);
    const atoms = Object.values(f).reduce((a, b) => a + b, 0);
    return options(rng, 'high_school_chemistry', `Using H = 1.008, C = 12.011, N = 14.007, O = 15.999, Na = 22.99, S = 32.06, Cl = 35.45 and Ca = 40.078 g/mol, what is the molar mass of ${name} (${formula})?`, `${m.toFixed(2)} g/mol`, [`${(m + ATOMIC.O).toFixed(2)} g/mol`, `${(m - ATOMIC.H).toFixed(2)} g/mol`, `${(m * 2).toFixed(2)} g/mol`, `${(atoms * 10).toFixed(2)} g/mol`]);
  },
  (rng) => {
    const moles = rng.pick([0.5, 1.5, 2, 2.5, 3, 4]);
    const grams = round2(moles * 18.02);
    return options(rng, 'high_school_chemistry', `How many moles of water (molar mass 18.02 g/mol) are in ${grams} g of water?`, `${moles} mol`, [`${round2(grams * 18.02)} mol`, `${round2(moles * 2)} mol`, `${round2(moles / 2)} mol`, `${round2(moles + 1)} mol`]);
  },
  (rng) => {
    const [moles, liters] = [rng.pick([0.5, 1, 2, 3]), rng.pick([0.25, 0.5, 2, 4])];
    return options(rng, 'high_school_chemistry', `${moles} mol of sodium chloride is dissolved to make ${liters} L of solution. What is the molarity?`, `${round2(moles / liters)} M`, [`${round2(moles * liters)} M`, `${round2(liters / moles)} M`, `${round2(moles + liters)} M`, `${round2(moles / liters / 2)} M`]);
  },
];

const computerScience: Generator[] = [
  (rng) => {
    const n = rng.int(9, 120);
    return options(rng, 'college_computer_science', `What is the binary representation of the decimal number ${n}?`, n.toString(2), [(n + 1).toString(2), (n - 1).toString(2), (n * 2).toString(2), (n ^ 3).toString(2)]);
  },
  (rng) => {
    const n = rng.int(40, 250);
    return options(rng, 'college_computer_science', `What is the hexadecimal representation of the decimal number ${n}?`, n.toString(16).toUpperCase(), [(n + 16).toString(16).toUpperCase(), (n - 1).toString(16).toUpperCase(), n.toString(8), (n + 6).toString(16).toUpperCase()]);
  },
  (rng) => {
    const [a, b] = [rng.int(5, 60), rng.int(5, 60)];
    return options(rng, 'college_computer_science', `What is ${a} XOR ${b} (bitwise exclusive or, in decimal)?`, String(a ^ b), [String(a & b), String(a | b), String(a + b), String(Math.abs(a - b) + 1)]);
  },
  (rng) => {
    const facts: Array<[string, string]> = [
      ['binary search on a sorted array of n elements', 'O(log n)'],
      ['merge sort on n elements in the worst case', 'O(n log n)'],
      ['finding the maximum of an unsorted array of n elements', 'O(n)'],
      ['insertion sort on n elements in the worst case', 'O(n²)'],
      ['looking up a key in a hash table on average', 'O(1)'],
    ];
    const [what, answer] = rng.pick(facts);
    return options(rng, 'college_computer_science', `What is the time complexity of ${what}?`, answer, ['O(1)', 'O(log n)', 'O(n)', 'O(n log n)', 'O(n²)', 'O(2ⁿ)']);
  },
];

const statistics: Generator[] = [
  (rng) => {
    const xs = Array.from({ length: 5 }, () => rng.int(1, 30));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sorted = [...xs].sort((a, b) => a - b);
    return options(rng, 'high_school_statistics', `What is the mean of the data set ${xs.join(', ')}?`, num(mean), [num(sorted[2] === mean ? mean + 1 : sorted[2]), num(mean + 2), num(sorted[4] - sorted[0]), num(mean - 1.5)]);
  },
  (rng) => {
    const xs = Array.from({ length: 7 }, () => rng.int(1, 50));
    const sorted = [...xs].sort((a, b) => a - b);
    const median = sorted[3];
    return options(rng, 'high_school_statistics', `What is the median of the data set ${xs.join(', ')}?`, String(median), [String(xs[3]), String(sorted[2]), String(sorted[4]), String(sorted[6] - sorted[0]), String(median + 1)]);
  },
  (rng) => {
    const xs = Array.from({ length: 6 }, () => rng.int(1, 40));
    const range = Math.max(...xs) - Math.min(...xs);
    return options(rng, 'high_school_statistics', `What is the range of the data set ${xs.join(', ')}?`, String(range), [String(Math.max(...xs)), String(range + 1), String(Math.max(...xs) + Math.min(...xs)), String(xs[5] - xs[0])]);
  },
];

function bank(subject: string, rows: Array<[string, string, string[]]>): Generator[] {
  return rows.map(([q, correct, wrong]) => (rng: Rng) => options(rng, subject, q, correct, wrong));
}

const geography = bank('high_school_geography', [
  ['What is the capital of Canada?', 'Ottawa', ['Toronto', 'Vancouver', 'Montreal']],
  ['What is the capital of Australia?', 'Canberra', ['Sydney', 'Melbourne', 'Perth']],
  ['What is the capital of Brazil?', 'Brasília', ['Rio de Janeiro', 'São Paulo', 'Salvador']],
  ['What is the capital of Turkey?', 'Ankara', ['Istanbul', 'Izmir', 'Antalya']],
  ['What is the capital of Nigeria?', 'Abuja', ['Lagos', 'Kano', 'Ibadan']],
  ['What is the capital of Morocco?', 'Rabat', ['Casablanca', 'Marrakesh', 'Fez']],
  ['What is the capital of New Zealand?', 'Wellington', ['Auckland', 'Christchurch', 'Hamilton']],
  ['What is the capital of Vietnam?', 'Hanoi', ['Ho Chi Minh City', 'Da Nang', 'Hue']],
  ['Which is the longest river in South America?', 'The Amazon', ['The Paraná', 'The Orinoco', 'The Magdalena']],
  ['Which ocean lies between Africa and Australia?', 'The Indian Ocean', ['The Atlantic Ocean', 'The Arctic Ocean', 'The Southern Ocean']],
  ['Which is the largest of the seven continents by area?', 'Asia', ['Africa', 'North America', 'Antarctica']],
  ['The Andes mountain range runs along which side of South America?', 'The western side', ['The eastern side', 'The northern coast only', 'The center, from east to west']],
  ['Which line of latitude divides the Earth into the Northern and Southern Hemispheres?', 'The Equator', ['The Tropic of Cancer', 'The Prime Meridian', 'The Arctic Circle']],
  ['Which desert is the largest hot desert in the world?', 'The Sahara', ['The Gobi', 'The Kalahari', 'The Atacama']],
  ['What is the capital of Kenya?', 'Nairobi', ['Mombasa', 'Kisumu', 'Nakuru']],
  ['Which strait separates Europe from Africa at the western end of the Mediterranean?', 'The Strait of Gibraltar', ['The Bosporus', 'The Strait of Hormuz', 'The Bering Strait']],
]);

const astronomy = bank('astronomy', [
  ['Which planet is closest to the Sun?', 'Mercury', ['Venus', 'Mars', 'Earth']],
  ['Which is the largest planet in the Solar System?', 'Jupiter', ['Saturn', 'Neptune', 'Uranus']],
  ['Which planet has the hottest average surface temperature?', 'Venus', ['Mercury', 'Mars', 'Jupiter']],
  ['Which planet is often called the Red Planet?', 'Mars', ['Venus', 'Mercury', 'Saturn']],
  ['Which planet rotates with its axis tilted nearly onto the plane of its orbit?', 'Uranus', ['Neptune', 'Saturn', 'Jupiter']],
  ['Which planet is farthest from the Sun?', 'Neptune', ['Uranus', 'Saturn', 'Jupiter']],
  ['What mainly causes the seasons on Earth?', "The tilt of Earth's axis", ["Earth's changing distance from the Sun", 'Changes in the Sun’s energy output', "The Moon's gravity"]],
  ['About how long does sunlight take to reach Earth?', 'About 8 minutes', ['About 8 seconds', 'About 8 hours', 'About 1 second']],
  ['What is one astronomical unit?', 'The average distance between Earth and the Sun', ['The distance light travels in one year', 'The radius of the Milky Way', 'The distance between Earth and the Moon']],
  ['In which phase is the Moon when it lies between Earth and the Sun?', 'New moon', ['Full moon', 'First quarter', 'Waning gibbous']],
  ['What is the name of the galaxy that contains the Solar System?', 'The Milky Way', ['Andromeda', 'The Large Magellanic Cloud', 'Triangulum']],
  ['Which process powers the Sun?', 'Nuclear fusion of hydrogen into helium', ['Nuclear fission of uranium', 'Burning of carbon', 'Gravitational collapse alone']],
  ['Which object is classified as a dwarf planet?', 'Pluto', ['Titan', 'Ganymede', 'Europa']],
  ['What is a light-year a unit of?', 'Distance', ['Time', 'Brightness', 'Speed']],
  ['Which planet is known for the most prominent ring system?', 'Saturn', ['Jupiter', 'Mars', 'Mercury']],
  ['What is the name of the largest moon of Saturn?', 'Titan', ['Ganymede', 'Callisto', 'Io']],
]);

const biology = bank('high_school_biology', [
  ['Which organelle produces most of the ATP in a eukaryotic cell?', 'The mitochondrion', ['The ribosome', 'The Golgi apparatus', 'The lysosome']],
  ['Where does photosynthesis take place in a plant cell?', 'In the chloroplasts', ['In the nucleus', 'In the mitochondria', 'In the vacuole']],
  ['In DNA, adenine pairs with which base?', 'Thymine', ['Guanine', 'Cytosine', 'Uracil']],
  ['Which base is found in RNA but not in DNA?', 'Uracil', ['Thymine', 'Adenine', 'Guanine']],
  ['Which gas is released as a by-product of photosynthesis?', 'Oxygen', ['Carbon dioxide', 'Nitrogen', 'Methane']],
  ['Which structures in the cell build proteins?', 'Ribosomes', ['Centrioles', 'Lysosomes', 'Vacuoles']],
  ['Which type of cell division produces gametes?', 'Meiosis', ['Mitosis', 'Binary fission', 'Budding']],
  ['Which organ produces insulin?', 'The pancreas', ['The liver', 'The kidney', 'The stomach']],
  ['An organism with the genotype Aa for a gene is called what?', 'Heterozygous', ['Homozygous dominant', 'Homozygous recessive', 'Haploid']],
  ['Which protein in red blood cells carries oxygen?', 'Hemoglobin', ['Insulin', 'Keratin', 'Collagen']],
  ['How many chromosomes are in a typical human body cell?', '46', ['23', '44', '48']],
  ['What is the movement of water across a semipermeable membrane called?', 'Osmosis', ['Active transport', 'Endocytosis', 'Translation']],
  ['What is the largest organ of the human body?', 'The skin', ['The liver', 'The brain', 'The lungs']],
  ['Most enzymes are made of which kind of molecule?', 'Proteins', ['Lipids', 'Carbohydrates', 'Nucleic acids']],
  ['Which kingdom do mushrooms belong to?', 'Fungi', ['Plantae', 'Protista', 'Monera']],
  ['Which blood vessels carry blood away from the heart?', 'Arteries', ['Veins', 'Capillaries', 'Lymph vessels']],
]);

/** Subjects and how many questions each contributes; generated subjects cycle their templates. */
export const MMLU_SUBJECTS: ReadonlyArray<{ subject: string; generators: Generator[]; count: number }> = [
  { subject: 'elementary_mathematics', generators: elementaryMath, count: 16 },
  { subject: 'high_school_physics', generators: physics, count: 16 },
  { subject: 'high_school_chemistry', generators: chemistry, count: 16 },
  { subject: 'college_computer_science', generators: computerScience, count: 16 },
  { subject: 'high_school_statistics', generators: statistics, count: 16 },
  { subject: 'high_school_geography', generators: geography, count: 16 },
  { subject: 'astronomy', generators: astronomy, count: 16 },
  { subject: 'high_school_biology', generators: biology, count: 16 },
];
