/** The INFORM workbench's public API. Notebooks import from here (or from an area's index). */
export * from './stats';
export * from './tasks';
export * from './experts';
export * from './encoders';
export * from './orchestrator';
export * from './probes';
export * from './plots';
export * from './notebook';
