/**
 * Training recipes: every setting besides the data that decides what a run learns, under one
 * name, so a result can say "recipe content" instead of eight flags.
 *
 *   paper    the paper's configuration as the project resolves it (Table 4 weights, learned stop,
 *            chains up to N at inference, encodings as encoded). The default everywhere.
 *   content  for reading the experts' answers: the chain utility alone (no auxiliary terms),
 *            the selection score reading each expert's representation (`selectionReadsH`),
 *            encodings centred per item, lr 3e-3 for 10 epochs, inference capped at the two
 *            steps the exact utility scores, and 3 random restarts of which the best on a
 *            validation carve-out is kept (some seeds find the content policy, some do not). Chosen on a validation split of hub-critical GSM8K
 *            (docs/decisions.md "Training recipe 'content'"): with the paper recipe the auxiliary
 *            terms (selection entropy, length, oracle alignment) settle s(x) on one expert before
 *            the content-dependent values are learned, and every item gets one chain.
 *
 * A recipe is plain data; `recipeTrainOptions` and `recipeDataset` apply it.
 */
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
    description: 'utility loss only, selection reads h_i, encodings centred per item, lr 3e-3, 10 epochs, chains of at most 2, best of 3 restarts on validation',
    model: { selectionReadsH: true },
    train: { weights: UTILITY_ONLY, learningRate: 3e-3, epochs: 10, utility: 'exact-two-step' },
    centre: 'item',
    infer: { maxSteps: 2 },
    restarts: 3,
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

/** The dataset the recipe trains and evaluates on (its centring applied; 'none' returns it unchanged). */
export function recipeDataset(recipe: TrainingRecipe, dataset: RoutingDataset): RoutingDataset {
  return centreDataset(dataset, { mode: recipe.centre });
}
