/** The shipped simulated consortia, by name (the YAML files in data/consortia/ are the source). */
import { loadConsortium, loadConsortiumConfig, type Consortium, type SimulatedPresetName } from '../consortium';
import type { SimulatedSpec } from './spec';
import { plantedTruth, type PlantedTruth } from './truth';

/** The validated expert specs of a preset. */
export function simulatedPresetSpecs(name: SimulatedPresetName): SimulatedSpec[] {
  return loadConsortiumConfig(name).experts.map((e) => {
    if (e.backend !== 'simulated') throw new Error(`preset ${name}: expert ${e.id} is not simulated`);
    return e;
  });
}

/** A ready simulated consortium. */
export function simulatedPreset(name: SimulatedPresetName): Consortium {
  return loadConsortium(name);
}

/** The planted ground truth of a preset. */
export function presetTruth(name: SimulatedPresetName): PlantedTruth {
  return plantedTruth(simulatedPresetSpecs(name));
}
