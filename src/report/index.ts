export { renderReport } from './report-html.js';
export type { ReportInput } from './report-html.js';
