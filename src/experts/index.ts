// Public API of src/experts: backends, consortium configs, the chain protocol, the simulated
// consortium, the transcript store and transcript generation.
export * from './types';
export { baseExpertSpec, decodingParamsOf, effectiveParams, type BaseExpertSpec } from './spec';
export { importEsm } from './import-esm';
export { formatTaskPrompt } from './task-prompt';
export { chainPrompt, standalonePrompt, runChain, type ChainOptions, type ChainResult, type ChainStep, type PreviousResponse } from './chain';
export {
  expertSpec,
  loadConsortium,
  loadConsortiumConfig,
  createExpert,
  describeExperts,
  consortiumTruth,
  type ExpertRow,
  resolveConsortiumPath,
  ConsortiumConfigError,
  SIMULATED_PRESETS,
  CONSORTIA_DIR,
  type Consortium,
  type ConsortiumConfig,
  type ExpertSpec,
  type LoadConsortiumOptions,
  type SimulatedPresetName,
} from './consortium';
export { createLlamaCppExpert, llamaCppSpec, type LlamaCppSpec } from './backends/llama-cpp';
export { createOpenAiExpert, openAiSpec, type OpenAiSpec } from './backends/openai';
export { createTransformersExpert, transformersSpec, type TransformersSpec } from './backends/transformers';
export { createReplayExpert, replayExpert, replaySpec, ReplayMissError, type ReplayExpert, type ReplaySpec } from './backends/replay';
export { simulatedSpec, dependencySpec, SIMULATED_FAMILIES, type SimulatedSpec, type SimulatedSpecInput, type SimulatedFamily, type DependencySpec } from './simulated/spec';
export {
  createSimulatedExpert,
  simulateResponse,
  simulatedModelName,
  type SimulatedExpert,
  type SimulatedDescription,
  type SimulatedResponse,
} from './simulated/expert';
export {
  decide,
  ownSuccessProbability,
  standaloneProbability,
  domainSkill,
  itemSubtype,
  promptFactor,
  ROUTINE,
  INTACT_READING,
  type Decision,
  type AnswerSource,
  type PromptReading,
} from './simulated/competence';
export {
  plantedTruth,
  taskTruth,
  pairProbability,
  compareTruths,
  subtypeShares,
  SOFT_POLICY_TEMPERATURE,
  MATERIAL_NECESSITY,
  type PlantedTruth,
  type PlantedExpert,
  type PlantedDependency,
  type PlantedChain,
  type IdealChoice,
  type TaskTruth,
  type ExpectedFindings,
  type TruthComparison,
} from './simulated/truth';
export { cascadeTruth, meanTokenEntropy, CASCADE_ENTROPY_THRESHOLD, type CascadeTruth } from './simulated/cascade-truth';
export { moaTruth, type MoaTruth } from './simulated/moa-truth';
export { perturbationTruth, type PerturbationTruth, type PerturbationEffect } from './simulated/perturbation-truth';
export { readPrompt, taskSection } from './simulated/read-prompt';
export { pluralityAnswer } from './simulated/aggregate';
export { leakCheck, aucStandardError, type LeakCheckOptions, type LeakCheckResult } from './simulated/leak-check';
export { bivariateNormalCdf } from './simulated/bivariate-normal';
export { simulatedPreset, simulatedPresetSpecs, presetTruth } from './simulated/presets';
export { seededRng, type Rng } from './simulated/rng';
export { JsonlLog, CorruptRecordError, type JsonlLogOptions, type FsyncPolicy } from './store/jsonl-log';
export { transcriptKey, keyPartsFor, storeKeyOf, type KeyParts } from './store/key';
export { TranscriptStore, TRANSCRIPTS_FILE, GRADES_FILE, type TranscriptRecord, type GradeRecord } from './store/transcript-store';
export { withStore, type StoredExpert } from './store/stored-expert';
export {
  generateTranscripts,
  collectResponses,
  MissingTranscriptError,
  DEFAULT_GRADER_ID,
  type Grader,
  type GenerateProgress,
  type GenerateSummary,
  type GenerateTranscriptsOptions,
  type ExpertSummary,
  type ExpertResponse,
  type ResponseRow,
} from './generate';
