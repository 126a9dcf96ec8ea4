/** The INFORM workbench's public API. Notebooks import from here (or from an area's index). */
export * from './stats/index';
export * from './tasks/index';
export * from './experts/index';
export * from './encoders/index';
export * from './orchestrator/index';
export * from './probes/index';
export * from './plots/index';
export * from './notebook/index';
