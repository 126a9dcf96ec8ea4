// Public API of src/plots: figure builders, the Figure type, static export through Chromium.
export * from './figure';
export { PALETTE, seriesColor, colorFor, FONT_FAMILY } from './theme';
export { EXPERT_PALETTE, expertColor, expertLabel, isExpertId } from './experts';
export { fitTitle, type FittedTitle, type FitTitleOptions } from './title-fit';
export { textWidth } from './text-width';
export { toBooktabs, toMarkdown, escapeLatex, formatTableNumber, type PaperTable, type PaperColumn, type PaperTableOptions } from './paper-table';
export { exportPaperTable, type PaperTableExportOptions, type PaperTableFiles } from './paper-table-export';
export { formatSignificant, formatPValue } from './format';
export { leastSquaresLine, type LineFit } from './least-squares';
export { heatmap, heatmapColumns, ANNOTATE_MAX, type HeatmapOptions } from './heatmap';
export { lineOverEpochs, type LineOverEpochsOptions, type LineSeries } from './line-over-epochs';
export { groupedBar, type GroupedBarOptions, type BarGroup } from './grouped-bar';
export { scatterWithFit, fitAnnotationText, type ScatterWithFitOptions, type FitAnnotation } from './scatter-with-fit';
export { tableFigure, type TableFigureOptions } from './table-figure';
export { rowsToCsv, csvColumns } from './csv';
export { findChromium, chromiumMissingMessage, locateBrowser, browserAvailable, type ChromiumLookup, type BrowserChoice } from './chromium';
export { bundledChromium, bundledChromiumInstalled, bundledCacheDir, type BundledChromium } from './bundled-chromium';
export { standaloneHtml } from './html';
export {
  renderFigure,
  closeExporter,
  exporterBrowser,
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
  stableSvgIds,
  stableSvgRoot,
  stablePdfDates,
  ALL_FORMATS,
  DEFAULT_FORMATS,
  type ExportFormat,
  type ExportOptions,
  type ExportResult,
  type FigureJson,
} from './export';
export { figuresDir } from './paths';
