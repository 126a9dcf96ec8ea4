/**
 * Training recipes: every setting besides the data that decides what a run learns, under one
 * name, so a result can say "recipe content" instead of eight flags.
 *
 *   paper    the paper's configuration as the project resolves it (Table 4 weights, learned stop,
 *            chains up to N at inference, encodings as encoded). The default everywhere.
 *   content  for reading the experts' answers: the chain utility alone (no auxiliary terms),
 *            the selection score reading each expert's representation (`selectionReadsH`),
 *            encodings centred per item, lr 3e-3 for 10 epochs, inference capped at the two
 *            steps the exact utility scores, and 8 random restarts of which the best on a
 *            validation carve-out is kept (some seeds find the content policy, some do not). Chosen on a validation split of hub-critical GSM8K
 *            (docs/decisions.md "Training recipe 'content'"): with the paper recipe the auxiliary
 *            terms (selection entropy, length, oracle alignment) settle s(x) on one expert before
 *            the content-dependent values are learned, and every item gets one chain.
 *
 * A recipe is plain data; `recipeTrainOptions` and `recipeDataset` apply it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { centreDataset, type CentreMode } from './centre';
import type { ModelConfigInput, TrainConfigInput } from './config';
import type { RoutingDataset } from './dataset';
import type { InferOptions } from './evaluate';

export interface TrainingRecipe {
  name: RecipeName;
  description: string;
  /** model settings (merged under the caller's) */
  model: Omit<ModelConfigInput, 'inputDim' | 'nExperts'>;
  /** training settings (merged under the caller's) */
  train: TrainConfigInput;
  /** the input transform of the expert encodings, before training and evaluation (centre.ts) */
  centre: CentreMode;
  /** inference settings: `maxSteps` is the longest chain the recipe's utility scores */
  infer: Pick<InferOptions, 'maxSteps'>;
  /** seeds trained per run, the best kept on a validation carve-out of the train items (restarts.ts); 1 = train once on all train items */
  restarts: number;
}

export const RECIPE_NAMES = ['paper', 'content'] as const;
export type RecipeName = (typeof RECIPE_NAMES)[number];

/** Every auxiliary loss off: the utility (expected chain correctness, at Table 4's weight) is the whole objective. */
const UTILITY_ONLY = { utility: 0.5, distillation: 0, symmetry: 0, sparsity: 0, oracle: 0, diversity: 0, selection: 0, length: 0 };

export const TRAINING_RECIPES: Readonly<Record<RecipeName, TrainingRecipe>> = Object.freeze({
  paper: {
    name: 'paper',
    description: 'Table 4 weights, learned stop, chains up to N, encodings as encoded',
    model: {},
    train: {},
    centre: 'none',
    infer: {},
    restarts: 1,
  },
  content: {
    name: 'content',
    description: 'utility loss only, selection reads h_i, encodings centred per item, lr 3e-3, 10 epochs, chains of at most 2, best of 8 restarts on validation',
    model: { selectionReadsH: true },
    train: { weights: UTILITY_ONLY, learningRate: 3e-3, epochs: 10, utility: 'exact-two-step' },
    centre: 'item',
    infer: { maxSteps: 2 },
    restarts: 8,
  },
});

/** The recipe of a name; throws naming the known recipes. */
export function trainingRecipe(name: string): TrainingRecipe {
  if (!(RECIPE_NAMES as readonly string[]).includes(name)) throw new Error(`unknown training recipe '${name}' (known: ${RECIPE_NAMES.join(', ')})`);
  return TRAINING_RECIPES[name as RecipeName];
}

/** The recipe's model and train settings with the caller's on top (the caller wins field by field). */
export function recipeTrainOptions(
  recipe: TrainingRecipe,
  given: { model?: Omit<ModelConfigInput, 'inputDim' | 'nExperts'>; train?: TrainConfigInput } = {},
): { model: Omit<ModelConfigInput, 'inputDim' | 'nExperts'>; train: TrainConfigInput } {
  return { model: { ...recipe.model, ...given.model }, train: { ...recipe.train, ...given.train } };
}

/**
 * The dataset the recipe trains and evaluates on (its centring applied; 'none' returns it
 * unchanged). A dataset already centred this way (its meta says so, as a run's saved
 * dataset.jsonl does) is returned as it is: centring twice would move the encodings by rounding,
 * and a resumed run would then be refused as trained on other data.
 */
export function recipeDataset(recipe: TrainingRecipe, dataset: RoutingDataset): RoutingDataset {
  const done = (dataset.meta as { centre?: { mode?: string; unit?: boolean } } | undefined)?.centre;
  if (recipe.centre !== 'none' && done) {
    if (done.mode === recipe.centre && done.unit !== false) return dataset;
    throw new Error(`recipe '${recipe.name}' centres the encodings per ${recipe.centre}, but this dataset is already centred (${done.mode}${done.unit === false ? ', not unit' : ''})`);
  }
  return centreDataset(dataset, { mode: recipe.centre });
}

/** The file in a run folder naming the recipe its checkpoints were trained with. */
export const RUN_RECIPE_FILE = 'recipe.json';

/** The recipe a run folder records (`inform train` writes it), or null when it records none. */
export function readRunRecipe(runDir: string): TrainingRecipe | null {
  const file = path.join(runDir, RUN_RECIPE_FILE);
  if (!fs.existsSync(file)) return null;
  let name: unknown;
  try {
    name = (JSON.parse(fs.readFileSync(file, 'utf8')) as { recipe?: unknown }).recipe;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof name !== 'string') throw new Error(`${file}: field 'recipe': expected a recipe name`);
  try {
    return trainingRecipe(name);
  } catch (e) {
    throw new Error(`${file}: field 'recipe': ${(e as Error).message}`);
  }
}

/** Records in a run folder which recipe trains it. */
export function writeRunRecipe(runDir: string, recipe: TrainingRecipe): void {
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(path.join(runDir, RUN_RECIPE_FILE), `${JSON.stringify({ recipe: recipe.name })}\n`);
}
