export { type ClearCounts, type ClearRules, clearMot } from './clear.ts';
export { DEFAULT_EVALUATE_OPTIONS, type EvaluateOptions, evaluate, type MotMetrics } from './evaluate.ts';
export { HOTA_ALPHAS, type HotaResult, hotaMetrics } from './hota.ts';
export { type IdentityCounts, identityMetrics } from './identity.ts';
export {
  formatMotLines,
  formatMotRows,
  MotFormatError,
  type MotRows,
  MotRowsBuilder,
  parseMot,
  readMotFile,
  rowsOfFrames,
} from './mot-format.ts';
export { type CountComparison, compareCounts, countsFromRows } from './scene-counts.ts';
export { buildSequence, iouXywh, type Sequence, type ZeroConfPolicy } from './sequence.ts';
