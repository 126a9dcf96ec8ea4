// Public API of src/plots: figure builders, the Figure type, static export through Chromium.
export * from './figure';
export { PALETTE, seriesColor } from './theme';
export { formatSignificant, formatPValue } from './format';
export { leastSquaresLine, type LineFit } from './least-squares';
export { heatmap, type HeatmapOptions } from './heatmap';
export { lineOverEpochs, type LineOverEpochsOptions, type LineSeries } from './line-over-epochs';
export { groupedBar, type GroupedBarOptions, type BarGroup } from './grouped-bar';
export { scatterWithFit, fitAnnotationText, type ScatterWithFitOptions, type FitAnnotation } from './scatter-with-fit';
export { tableFigure, type TableFigureOptions } from './table-figure';
export { rowsToCsv, csvColumns } from './csv';
export { findChromium, chromiumMissingMessage, type ChromiumLookup } from './chromium';
export { standaloneHtml } from './html';
export {
  renderFigure,
  closeExporter,
  exporterProfileDir,
  setExporterIdleTimeout,
  removeStaleProfiles,
  ChromiumMissingError,
  type ImageFormat,
  type RenderOptions,
} from './renderer';
export {
  exportFigure,
  figureJson,
  ALL_FORMATS,
  DEFAULT_FORMATS,
  type ExportFormat,
  type ExportOptions,
  type ExportResult,
  type FigureJson,
} from './export';
export { figuresDir } from './paths';
