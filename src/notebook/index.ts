// Public API of src/notebook: kernelspec install, the headless runner, nbformat helpers.
export * from './kernel';
export * from './nbformat';
export { runNotebook, runNotebooks, listNotebooks, resolveNotebookArgs, defaultOutDir, formatFailure } from './runner';
export type { RunOptions, RunManyOptions, NotebookResult, CellReport, CellFailure } from './runner';
export { runWithJupyter } from './runner-jupyter';
export type { JupyterRunOptions } from './runner-jupyter';
