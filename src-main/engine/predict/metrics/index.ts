// Evaluation metrics for binary and regression tasks, and the curves the results screen draws.
//
// Pure functions over array-likes (number[], Float32Array, Float64Array, ...). They run on
// millions of rows, so they allocate only typed arrays (no object per row) and are O(n log n)
// at worst: every ordering comes from `argsort`, a stable LSD radix sort on the IEEE-754 bits
// (O(n), 24 bytes of scratch per row), with a comparator sort for small inputs.
//
// Conventions shared by every function here:
// - A binary label counts as positive when it is > 0.5 (labels are expected to be 0/1).
//   `logLoss` uses the label value itself, which is the same thing for 0/1 labels.
// - Ties are exact: values are equal when `===` says so (so -0 and 0 tie). Tied scores or
//   predictions never make a result depend on the input order (see each function).
// - Two inputs of different lengths are a programming error: RangeError.
// - A metric that is undefined for the input (empty input, a single class, a constant target,
//   a NaN anywhere in the inputs it reads) is NaN. A curve that is undefined is empty arrays.
//
// No Node imports: the renderer may import these files too (random.ts is plain TypeScript).
// The metrics live by topic beside this index, which re-exports them: sort.ts (input checks,
// argsort, ranks, Spearman), binary.ts, regression.ts and curves.ts.

export { argsort, averageRanks, spearman } from './sort';
export { auc, binaryMetrics, logLoss, type BinaryMetrics } from './binary';
export {
  mae,
  nmae,
  normalizedGini,
  nrmse,
  regressionMetrics,
  rmse,
  type RegressionMetrics,
} from './regression';
export {
  calibrationCurve,
  decileCalibration,
  lorenzCurve,
  predictedVsActual,
  quantileCalibrationCurve,
  rocCurve,
  type CalibrationCurve,
  type DecileCalibration,
  type LorenzCurve,
  type RocCurve,
  type ScatterSample,
} from './curves';
