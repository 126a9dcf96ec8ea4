// Public API of src/orchestrator (filled in as the area is built).
export * from './backend';
