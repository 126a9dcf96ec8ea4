// Public API of src/probes: the INFORM probes (Section 2.2, Section 4, Appendices F, H, I, J),
// interventions, ablations, the cascade and mixture-of-agents analyses, recovery scores against
// planted truth, and the probe pass over a run folder. See docs/probes.md.
export {
  entropyOf,
  collaborationEntropy,
  matrixRank,
  singularValues,
  relationalImportance,
  giniOf,
  incomingGini,
  meanMatrix,
  meanVector,
  usageCounts,
  firstExpertCounts,
  type Matrix,
} from './matrix-measures';
export { readRouting, rolloutSteps, type ProbeRouteOptions, type RoutingRead } from './routing-read';
export { intrinsicImportance, type IntrinsicImportance } from './intrinsic';
export { causalEpochs, causalSummaries, causalVerdict, type CausalEpoch, type CausalSummary } from './causal';
export { integratedImportance, integratedProbe, type IntegratedImportance, type IntegratedOptions, type IntegratedSummary } from './integrated';
export { structureProbe, summarise, groupsByTask, rowsWithoutMass, type StructureSummary, type StructureResult } from './structure';
export {
  klOf,
  itemMaskingKl,
  finalExpertGrade,
  dataChainGrade,
  pickTarget,
  targetName,
  maskingProbe,
  maskingProbes,
  pairedOverEpochs,
  type ItemMaskingKl,
  type ChainGrader,
  type MaskTarget,
  type MaskingSummary,
  type PairedComparison,
} from './masking';
export { consortiumChainRunner, dataChainRunner, type AccuracySource, type ChainRunner, type ChainRunStats, type ConsortiumChainRunnerOptions } from './chain-runner';
export { ABLATIONS, ablationProbe, uniformCollab, type AblationName, type AblationSummary, type AblationOptions } from './ablations';
export { cascadeProbe, stoppingDistribution, hardStop, defaultCascadeSettings, type CascadeItem, type CascadeSettings, type CascadeSummary } from './cascade';
export {
  aggregatePrompt,
  runMoa,
  defaultMoaConfigs,
  summariseMoa,
  moaRegression,
  moaProbe,
  type MoaConfig,
  type MoaRun,
  type MoaRunOptions,
  type MoaConfigSummary,
  type MoaRegression,
  type MoaProbeResult,
} from './moa';
export { buildPerturbedItems, perturbationShift, type PerturbedSet, type PerturbationSummary } from './perturbations';
export {
  taskTruthOf,
  rankOf,
  structureRecovery,
  relationalIntrinsicAgreement,
  divergenceVerdict,
  divergenceRecovery,
  centralizationRecovery,
  maskingRecovery,
  ablationRecovery,
  perturbationRecovery,
  type TaskTruthInput,
  type StructureRecovery,
  type DivergenceVerdict,
} from './recovery';
export { checkpointFingerprint, itemsFingerprint, probesCodeVersion, readCached, writeCached } from './probe-cache';
export { expertRows, causalRows, integratedRows, structureRows, collabRows, maskingRows, ablationRows, perturbationRows, pairedRows, cascadeRows, moaRows, toDataFrame, type Row } from './tables';
export {
  PROBE_NAMES,
  CHECKPOINT_PROBES,
  runProbes,
  maskingSeries,
  type ProbeName,
  type ProbeProgress,
  type ProbeContext,
  type RunProbesOptions,
  type RunProbesResult,
  type EpochProbes,
} from './run-probes';
export { loadRunContext, type RunContext, type RunContextOptions } from './run-context';
