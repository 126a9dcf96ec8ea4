// Public API of src/tasks: loaders, graders, the code sandbox, bundled samples and splits.
export * from './types';
export { DatasetError, formatIssue, type DatasetIssue, type LoadOptions } from './dataset-error';
export { parseCsv, csvField, type CsvRecord } from './csv';
export { findNumbers, parseNumber, sameNumber, type NumberMatch } from './numbers';
export { loadGsm8k, parseGsm8k, gsm8kGoldFromSolution } from './load-gsm8k';
export { loadMmlu, parseMmluCsv, parseMmluJsonl, parseMmluParquet, mmluSubjectFromFileName } from './load-mmlu';
export { loadHumanEval, parseHumanEval } from './load-humaneval';
export { gradeGsm8k, extractGsm8kAnswer } from './grade-gsm8k';
export { extractChoice } from './extract-choice';
export { extractCode, responseToCompletion, definesFunction } from './extract-code';
export { passAtK, meanPassAtK } from './pass-at-k';
export { executeHumanEval, type ExecuteOptions, type SandboxResult, type SandboxStatus } from './sandbox/execute-humaneval';
export { sandboxCapabilities, type SandboxCapabilities } from './sandbox/isolation';
export { humanEvalProgram } from './sandbox/program';
export { gradeResponse } from './grade-response';
export { goldSolutionText } from './gold-solution';
