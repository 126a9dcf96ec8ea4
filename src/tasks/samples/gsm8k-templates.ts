/**
 * Templates for the bundled GSM8K-style word problems. Each template draws its numbers from a
 * seeded generator, computes every intermediate result and writes a worked solution in the
 * GSM8K style (one step per line, calculator annotations `<<3*4=12>>`, final line `#### N`).
 * The gold answer is computed, never typed.
 */
import type { Rng } from './rng';

/** One generated problem before it is written as a JSONL line. */
export interface GeneratedGsm8k {
  question: string;
  /** solution steps, without the final `#### N` line */
  steps: string[];
  answer: number;
}

/** Formats a number the way the solutions print it: integers plain, decimals to at most 2 places. */
export function fmt(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Number.isInteger(r) ? String(r) : r.toFixed(2).replace(/0$/, '');
}

/** `expr = <<expr=value>>value`, the calculator annotation GSM8K solutions use. */
function calc(expr: string, value: number): string {
  return `${expr} = <<${expr}=${fmt(value)}>>${fmt(value)}`;
}

const NAMES = ['Amara', 'Bilal', 'Chen', 'Dalia', 'Emeka', 'Farah', 'Goran', 'Hana', 'Ivo', 'Jonas', 'Keiko', 'Lucia', 'Mateo', 'Nadia', 'Omar', 'Priya', 'Rosa', 'Sven', 'Tariq', 'Yara'];

type Template = (rng: Rng) => GeneratedGsm8k;

const shopping: Template = (rng) => {
  const name = rng.pick(NAMES);
  const [a, p, b, q] = [rng.int(2, 9), rng.int(2, 12), rng.int(2, 9), rng.int(1, 6)];
  const total = a * p + b * q;
  return {
    question: `${name} buys ${a} notebooks that cost $${p} each and ${b} pens that cost $${q} each. How many dollars does ${name} spend in all?`,
    steps: [`The notebooks cost ${calc(`${a}*${p}`, a * p)} dollars.`, `The pens cost ${calc(`${b}*${q}`, b * q)} dollars.`, `Altogether ${name} spends ${calc(`${a * p}+${b * q}`, total)} dollars.`],
    answer: total,
  };
};

const sharing: Template = (rng) => {
  const name = rng.pick(NAMES);
  const [kept, friends, each] = [rng.int(3, 15), rng.int(3, 8), rng.int(4, 12)];
  const total = kept + friends * each;
  return {
    question: `${name} has ${total} stickers. ${name} keeps ${kept} of them and shares the rest equally among ${friends} friends. How many stickers does each friend get?`,
    steps: [`After keeping some, ${calc(`${total}-${kept}`, total - kept)} stickers are left to share.`, `Each friend gets ${calc(`${total - kept}/${friends}`, each)} stickers.`],
    answer: each,
  };
};

const travel: Template = (rng) => {
  const [v, h, w, g] = [rng.int(4, 12) * 10, rng.int(2, 5), rng.int(3, 9) * 10, rng.int(1, 4)];
  const total = v * h + w * g;
  return {
    question: `A train travels at ${v} kilometers per hour for ${h} hours and then at ${w} kilometers per hour for ${g} hours. How many kilometers does it travel in total?`,
    steps: [`In the first part it covers ${calc(`${v}*${h}`, v * h)} kilometers.`, `In the second part it covers ${calc(`${w}*${g}`, w * g)} kilometers.`, `In total it travels ${calc(`${v * h}+${w * g}`, total)} kilometers.`],
    answer: total,
  };
};

const discount: Template = (rng) => {
  const item = rng.pick(['jacket', 'bicycle', 'lamp', 'backpack', 'guitar', 'desk chair']);
  const pct = rng.pick([10, 20, 25, 40, 50]);
  const price = rng.int(2, 30) * 20;
  const off = (price * pct) / 100;
  return {
    question: `A ${item} normally costs $${price}. This week it is sold at ${pct}% off. How many dollars does the ${item} cost this week?`,
    steps: [`The discount is ${calc(`${price}*${pct}/100`, off)} dollars.`, `The sale price is ${calc(`${price}-${fmt(off)}`, price - off)} dollars.`],
    answer: price - off,
  };
};

const savings: Template = (rng) => {
  const name = rng.pick(NAMES);
  const [s, weeks] = [rng.int(5, 25), rng.int(6, 20)];
  const saved = s * weeks;
  const spent = rng.int(Math.floor(saved / 3), saved - 1);
  return {
    question: `${name} saves $${s} every week. After ${weeks} weeks, ${name} spends $${spent} on a bike. How many dollars does ${name} have left?`,
    steps: [`${name} saved ${calc(`${s}*${weeks}`, saved)} dollars.`, `After buying the bike, ${calc(`${saved}-${spent}`, saved - spent)} dollars are left.`],
    answer: saved - spent,
  };
};

const ages: Template = (rng) => {
  const name = rng.pick(NAMES);
  const [age, times, years] = [rng.int(4, 12), rng.int(3, 5), rng.int(2, 10)];
  const parent = age * times;
  const sum = age + years + parent + years;
  return {
    question: `${name} is ${age} years old, and ${name}'s grandmother is ${times} times as old. What will the sum of their ages be in ${years} years?`,
    steps: [`The grandmother is ${calc(`${age}*${times}`, parent)} years old.`, `In ${years} years ${name} will be ${calc(`${age}+${years}`, age + years)} and the grandmother ${calc(`${parent}+${years}`, parent + years)}.`, `The sum will be ${calc(`${age + years}+${parent + years}`, sum)} years.`],
    answer: sum,
  };
};

const harvest: Template = (rng) => {
  const [rows, perRow, box] = [rng.int(3, 12), rng.int(4, 15), rng.pick([4, 5, 6, 8, 10])];
  const perPlant = box * rng.int(1, 3);
  const plants = rows * perRow;
  const tomatoes = plants * perPlant;
  return {
    question: `A farmer plants ${rows} rows of tomato plants with ${perRow} plants in each row. Each plant gives ${perPlant} tomatoes. The farmer packs the tomatoes in boxes of ${box}. How many boxes does the farmer fill?`,
    steps: [`There are ${calc(`${rows}*${perRow}`, plants)} plants.`, `They give ${calc(`${plants}*${perPlant}`, tomatoes)} tomatoes.`, `That fills ${calc(`${tomatoes}/${box}`, tomatoes / box)} boxes.`],
    answer: tomatoes / box,
  };
};

const overtime: Template = (rng) => {
  const name = rng.pick(NAMES);
  const [wage, hours, extra] = [rng.int(6, 20) * 2, rng.int(20, 40), rng.int(2, 10)];
  const regular = wage * hours;
  const rate = wage * 1.5;
  const total = regular + rate * extra;
  return {
    question: `${name} earns $${wage} an hour and 1.5 times that rate for overtime. Last week ${name} worked ${hours} regular hours and ${extra} overtime hours. How many dollars did ${name} earn last week?`,
    steps: [`Regular pay was ${calc(`${wage}*${hours}`, regular)} dollars.`, `The overtime rate is ${calc(`${wage}*1.5`, rate)} dollars an hour, so overtime pay was ${calc(`${fmt(rate)}*${extra}`, rate * extra)} dollars.`, `In total ${name} earned ${calc(`${regular}+${fmt(rate * extra)}`, total)} dollars.`],
    answer: total,
  };
};

const classFraction: Template = (rng) => {
  const den = rng.pick([3, 4, 5, 8]);
  const num = rng.int(1, den - 1);
  const students = den * rng.int(3, 8);
  const girls = (students * num) / den;
  return {
    question: `A school club has ${students} members, and ${num}/${den} of them are girls. How many members are boys?`,
    steps: [`There are ${calc(`${students}*${num}/${den}`, girls)} girls.`, `So there are ${calc(`${students}-${girls}`, students - girls)} boys.`],
    answer: students - girls,
  };
};

const recipe: Template = (rng) => {
  const servings = rng.pick([2, 4, 6, 8]);
  const cups = rng.int(1, 6);
  const scale = rng.pick([1.5, 2, 2.5, 3]);
  const wanted = servings * scale;
  const total = cups * scale;
  return {
    question: `A bread recipe uses ${cups} cups of flour to make ${servings} servings. How many cups of flour are needed for ${fmt(wanted)} servings?`,
    steps: [`The recipe has to be scaled by ${calc(`${fmt(wanted)}/${servings}`, scale)}.`, `That takes ${calc(`${cups}*${fmt(scale)}`, total)} cups of flour.`],
    answer: total,
  };
};

const reading: Template = (rng) => {
  const name = rng.pick(NAMES);
  const [perDay, days] = [rng.int(8, 30), rng.int(3, 12)];
  const read = perDay * days;
  const pages = read + rng.int(20, 300);
  return {
    question: `A novel has ${pages} pages. ${name} reads ${perDay} pages every day. How many pages are still unread after ${days} days?`,
    steps: [`In ${days} days ${name} reads ${calc(`${perDay}*${days}`, read)} pages.`, `That leaves ${calc(`${pages}-${read}`, pages - read)} pages.`],
    answer: pages - read,
  };
};

const change: Template = (rng) => {
  const name = rng.pick(NAMES);
  const fruit = rng.pick(['apples', 'oranges', 'peaches', 'pears']);
  const count = rng.int(3, 9);
  const cents = rng.pick([25, 35, 45, 55, 65, 75]);
  const costCents = count * cents;
  const bill = costCents < 500 ? 5 : costCents < 1000 ? 10 : 20;
  const changeCents = bill * 100 - costCents;
  return {
    question: `${name} buys ${count} ${fruit} at $0.${cents} each and pays with a $${bill} bill. How much change, in dollars, does ${name} get?`,
    steps: [`The ${fruit} cost ${calc(`${count}*0.${cents}`, costCents / 100)} dollars.`, `The change is ${calc(`${bill}-${fmt(costCents / 100)}`, changeCents / 100)} dollars.`],
    answer: changeCents / 100,
  };
};

const bigOrder: Template = (rng) => {
  const [crates, perCrate, price] = [rng.int(12, 60), rng.int(24, 48), rng.int(2, 9)];
  const bottles = crates * perCrate;
  const revenue = bottles * price;
  return {
    question: `A juice factory ships ${crates} crates with ${perCrate} bottles in each crate. Each bottle sells for $${price}. How many dollars does the shipment bring in?`,
    steps: [`The shipment holds ${calc(`${crates}*${perCrate}`, bottles)} bottles.`, `They sell for ${calc(`${bottles}*${price}`, revenue)} dollars.`],
    answer: revenue,
  };
};

/** All templates, in a fixed order (the generator cycles through them). */
export const GSM8K_TEMPLATES: ReadonlyArray<readonly [string, Template]> = [
  ['shopping', shopping],
  ['sharing', sharing],
  ['travel', travel],
  ['discount', discount],
  ['savings', savings],
  ['ages', ages],
  ['harvest', harvest],
  ['overtime', overtime],
  ['class-fraction', classFraction],
  ['recipe', recipe],
  ['reading', reading],
  ['change', change],
  ['big-order', bigOrder],
];
