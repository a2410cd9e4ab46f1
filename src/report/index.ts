export { bestTrial, renderConfusionMatrix, renderEvaluations, renderReport, resolveObjective, withEvaluation } from './report-html.js';
export type { ReportEvaluation, ReportInput, ReportObjective, ReportTrial, ReportTrialStatus } from './report-html.js';
export { lineChart } from './svg-chart.js';
export type { ChartOptions, ChartSeries } from './svg-chart.js';
export { escapeHtml, formatNumber } from './html.js';
