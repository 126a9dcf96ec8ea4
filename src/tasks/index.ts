// Public API of src/tasks: loaders, graders, the code sandbox, bundled samples and splits.
export * from './types';
export { DatasetError, formatIssue, type DatasetIssue, type LoadOptions } from './dataset-error';
export { loadGsm8k, parseGsm8k, gsm8kGoldFromSolution } from './load-gsm8k';
export { loadMmlu, parseMmluCsv, parseMmluJsonl, parseMmluParquet, mmluSubjectFromFileName } from './load-mmlu';
export { loadHumanEval, parseHumanEval } from './load-humaneval';
export { gradeGsm8k, extractGsm8kAnswer } from './grade-gsm8k';
export { extractChoice } from './extract-choice';
export { extractCode, responseToCompletion, definesFunction } from './extract-code';
export { answerKey, normaliseCode, pluralityChoice } from './answer-vote';
export { passAtK, meanPassAtK } from './pass-at-k';
export { executeHumanEval, type ExecuteOptions, type SandboxResult, type SandboxStatus } from './sandbox/execute-humaneval';
export { sandboxCapabilities, type SandboxCapabilities } from './sandbox/isolation';
export { humanEvalProgram } from './sandbox/program';
export { gradeResponse, runHumanEvalResponse, type GradeOptions } from './grade-response';
export { goldSolutionText } from './gold-solution';
export { assertTaskItem, humanEvalItemFromOfficial, TaskItemError } from './validate-item';
export { loadSplit, loadSplitSync, loadBundledSync, BUNDLED_DATA_DIR, type SplitOptions } from './load-split';
export {
  seededSplit,
  hashSplit,
  splitOfPrompt,
  promptHash,
  promptUnit,
  normalisePrompt,
  itemPrompt,
  findDuplicatePrompts,
  SPLIT_NAMES,
  DEFAULT_SPLIT_FRACTIONS,
  type SplitName,
  type SplitFile,
  type DuplicatePrompt,
} from './split-ids';
export { loadTaskItems, defaultOfficialDir, type LoadTaskItemsOptions, type TaskItemsSelection, type TaskSourceInfo, type DataSourceChoice } from './task-source';
export { HUMANEVAL_PROBLEMS, type AuthoredProblem } from './samples/humaneval-problems';
export { generateSampleFiles, SAMPLE_PATHS } from './samples/generate';
export { defaultSandboxConcurrency } from './sandbox/pool';
export { executeHumanEvalBatch, type BatchOptions } from './sandbox/batch';
export { OFFICIAL_SOURCES, sourcesFor, withMirror, type OfficialSource } from './fetch/official-sources';
export { downloadVerified, OfflineError, ChecksumError, type DownloadOptions } from './fetch/download';
export { fetchOfficial, OFFLINE_HINT, type FetchOutcome, type FetchOptions } from './fetch/fetch-official';
export {
  PERTURBATIONS,
  NUMBER_MASK,
  REASONING_CUES,
  numbersIn,
  removeNumbers,
  maskNumbers,
  splitSentences,
  shuffleSentences,
  countReasoningCues,
  removeReasoningCues,
  perturbText,
  type PerturbationName,
} from './perturb';
