// Public API of src/notebook: kernelspec install, the headless runner, nbformat helpers.
// nbformat's short type names (Cell, Output, ...) are re-exported with a Notebook prefix so they
// cannot clash with other areas' names in src/index.ts.
export * from './kernel';
export { readNotebook, writeNotebook, validateNotebook, joinText, splitLines, newCellId } from './nbformat';
export type {
  Notebook,
  Cell as NotebookCell,
  CodeCell as NotebookCodeCell,
  TextCell as NotebookTextCell,
  Output as NotebookOutput,
  StreamOutput as NotebookStreamOutput,
  DisplayDataOutput as NotebookDisplayDataOutput,
  ExecuteResultOutput as NotebookExecuteResultOutput,
  ErrorOutput as NotebookErrorOutput,
  MimeBundle as NotebookMimeBundle,
  MultilineString as NotebookText,
} from './nbformat';
export { runNotebook, runNotebooks, listNotebooks, resolveNotebookArgs, defaultOutDir, formatFailure } from './runner';
export type { RunOptions, RunManyOptions, NotebookResult, CellReport, CellFailure } from './runner';
export { runWithJupyter } from './runner-jupyter';
export type { JupyterRunOptions } from './runner-jupyter';
// Display helpers and tables for notebooks (src/notebook/display.ts, tables.ts).
export * from './display';
export * from './tables';
