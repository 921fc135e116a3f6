export {
  type BatchCosts,
  type BatchReport,
  listBatches,
  loadReport,
  MAX_PROBLEM_ROWS,
  type ProblemFile,
  type ReportData,
  UnknownBatchError,
} from './data.ts';
export type { ConfusionCounts, EvalConfigFigures, Evaluation } from './evaluation.ts';
export { esc, jsonForScript } from './html.ts';
export { percentFinal, renderBatchList } from './list.ts';
export { type Page, renderReport, usd } from './render.ts';
