// Public API of src/orchestrator: the learned router of Section 2.1 / Appendix C, its training,
// checkpoints and evaluation.
export * from './backend';
// (exported under a distinct name: src/experts exports its own `Rng`)
export { Rng as OrchestratorRng, type RngState as OrchestratorRngState } from './rng';
export {
  modelConfigSchema,
  trainConfigSchema,
  lossWeightsSchema,
  resolveModelConfig,
  resolveTrainConfig,
  LOSS_WEIGHT_PRESETS,
  lossWeightPreset,
  type LossWeightPreset,
  type ModelConfig,
  type ModelConfigInput,
  type TrainConfig,
  type TrainConfigInput,
  type LossWeights,
} from './config';
export {
  MASKED_LOGIT,
  parameterSpecs,
  initialParameters,
  createModel,
  readParameters,
  disposeModel,
  encode,
  route,
  forward,
  disposeCache,
  selectionLogProbFromH,
  type OrchestratorModel,
  type ModelInputs,
  type EncodeOptions,
  type RouteOptions,
  type ForwardOptions,
  type ForwardCache,
  type ScoreParts,
  type Encoded,
} from './model';
export { compositeLoss, expectedChainCorrectness, oracleTargets, topKMembership, LOSS_NAMES, type DistillationMode, type UtilityMode, exactTwoStepCorrectness, type LossName, type LossTargets, type LossSettings, type LossResult } from './losses';
export { initialSchedule, learningRateAt, topKForConfidence, advanceSchedule, type ScheduleState } from './schedule';
export { createAdamState, readAdamState, disposeAdamState, adamStep, type AdamState, type AdamSettings } from './adam';
export {
  validateRoutingDataset,
  itemsOfSplit,
  splitRoutingDataset,
  routingDatasetFingerprint,
  toBatch,
  disposeBatch,
  saveRoutingDataset,
  loadRoutingDataset,
  ROUTING_DATASET_VERSION,
  type RoutingDataset,
  type RoutingItem,
  type RoutingBatch,
  type Split,
} from './dataset';
export { syntheticRoutingDataset, type SyntheticRoutingOptions } from './synthetic';
export { buildRoutingDataset, type BuildRoutingDatasetOptions } from './from-consortium';
export {
  CHECKPOINT_FORMAT,
  checkpointDir,
  saveCheckpoint,
  loadCheckpoint,
  listCheckpoints,
  latestCheckpoint,
  resolveCheckpointDir,
  loadOrchestratorModel,
  type CheckpointData,
  type CheckpointWeights,
  type CheckpointDataset,
  type CheckpointRef,
} from './checkpoint';
export { inferChains, evaluateModel, evaluateOrchestrator, scoreChains, gradeChainFromData, bestSingleExpert, withMeanOutputs, type ChainScores, type InferOptions, type InferredChain, type EvaluationResult } from './evaluate';
export { TRAINING_RECIPES, RECIPE_NAMES, trainingRecipe, recipeTrainOptions, recipeDataset, type TrainingRecipe, type RecipeName } from './recipes';
export { trainWithRestarts, inValidationCarve, type RestartOptions, type RestartResult, type RestartScore } from './restarts';
export { evaluateOnConsortium, type ConsortiumEvalOptions, type ConsortiumEvaluation, type TaskEvaluation, type RunScores } from './chain-eval';
export { trainOrchestrator, type TrainOptions, type TrainResult, type StepReport, type EpochReport } from './train';
