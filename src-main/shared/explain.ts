// What an explanation of a trained model holds: permutation importance per task, per-row
// contributions (Shapley values), partial dependence of numeric inputs, and for HTLNet graphs
// what passes through the funnel (fusion units' attention, label embeddings' share). Plain data:
// the engine computes it, the CLI prints it, the app sends it to the window and keeps it with
// the run. Shared by the engine and the renderer (no Node imports here).

type TaskKind = 'binary' | 'regression';

/** The parts of an explanation, computed separately or together. */
export type ExplainPart = 'importance' | 'rows' | 'pdp' | 'funnel';
export const EXPLAIN_PARTS: readonly ExplainPart[] = ['importance', 'rows', 'pdp', 'funnel'];

/** Inputs moved together (e.g. every column of one entity), under one name. */
export interface FeatureGroup {
  name: string;
  columns: string[];
}

/** How a task's importance is measured. */
export type ImportanceMetric =
  /** Binary tasks: AUC with the rows as they are minus AUC with the input shuffled. */
  | 'auc-drop'
  /** Regression tasks: normalised Gini as is minus with the input shuffled. */
  | 'gini-drop'
  /** Regression tasks: RMSE (raw scale) with the input shuffled minus as is. */
  | 'rmse-rise'
  /** No target in the data: the mean absolute change of the prediction. */
  | 'prediction-change';

export const METRIC_LABELS: Record<ImportanceMetric, string> = {
  'auc-drop': 'drop in AUC',
  'gini-drop': 'drop in normalised Gini',
  'rmse-rise': 'rise in RMSE',
  'prediction-change': 'mean change of the prediction',
};

export interface FeatureImportance {
  /** A column, or a group's name. */
  feature: string;
  /** The columns permuted together (one for a plain column). */
  columns: string[];
  /** Mean over the repeats (larger: more important; around 0: not used). */
  importance: number;
  /** 95% interval of the mean over the repeats (t interval; equal to importance for 1 repeat). */
  low: number;
  high: number;
  /** Each repeat's value. */
  repeats: number[];
}

export interface TaskImportance {
  task: string;
  type: TaskKind;
  metric: ImportanceMetric;
  /** The metric with nothing shuffled (AUC, Gini, RMSE; null for prediction-change). */
  baseline: number | null;
  /** Most important first. */
  features: FeatureImportance[];
}

export interface ImportanceResult {
  rows: number;
  repeats: number;
  seconds: number;
  tasks: TaskImportance[];
}

interface Contribution {
  feature: string;
  /** The row's value of the input, as text ('' when missing). */
  value: string;
  /** What the input adds to the prediction, on the prediction's scale. */
  contribution: number;
  /** Standard error of the estimate (0 for the exact method). */
  stderr: number;
}

export type ContributionMethod = 'exact-shapley' | 'sampling-shapley';

export interface TaskContributions {
  task: string;
  type: TaskKind;
  /** The average prediction over the background rows (where the waterfall starts). */
  baseline: number;
  /** This row's prediction (where the waterfall ends: baseline + sum of contributions). */
  prediction: number;
  /** Largest absolute contribution first. */
  contributions: Contribution[];
}

export interface RowExplanation {
  /** The file the row comes from. */
  file: string;
  /** The row's index in that file (0-based, data rows only). */
  row: number;
  /** Its line in the file (1-based), when known. */
  line: number | null;
  method: ContributionMethod;
  /** Background rows the inputs were compared with. */
  background: number;
  /** Permutations sampled per background row (sampling method only). */
  permutations: number;
  tasks: TaskContributions[];
}

export interface PartialDependence {
  feature: string;
  /** Grid of input values (raw scale). */
  x: number[];
  /** Per task: the mean prediction with every row's input set to x[i]. */
  tasks: { task: string; type: TaskKind; mean: number[]; low: number[]; high: number[] }[];
  /** The input's distribution over the explained rows: bins + 1 edges, counts. */
  histogram: { edges: number[]; counts: number[] };
  /** Rows where the input is missing (not in the histogram). */
  missing: number;
}

interface AttentionSummary {
  /** The earlier task the item comes from. */
  source: string;
  mean: number;
  /** Standard deviation over the rows. */
  sd: number;
}

export interface FunnelSegment {
  /** e.g. "p(click) 0.02–0.05". */
  label: string;
  low: number;
  high: number;
  rows: number;
  /** Mean attention weight by port and source. */
  attention: { port: 'reps' | 'labels'; source: string; mean: number }[];
  /** Mean share of the task's first layer coming from each part. */
  shares: { part: FunnelPart; mean: number }[];
}

export type FunnelPart = 'representations' | 'label embeddings' | 'inputs';

export interface TaskFunnel {
  task: string;
  fusionBlock: string;
  mode: 'attention' | 'concat';
  /** Attention weights over the earlier tasks (attention mode only), per port. */
  attention: { port: 'reps' | 'labels'; items: AttentionSummary[] }[];
  /**
   * Share of the magnitude of the first layer reading the fusion output that comes from each
   * part: the earlier tasks' representations, their label embeddings, the inputs directly.
   */
  shares: { part: FunnelPart; mean: number; sd: number }[];
  /** The earlier task whose predicted probability segments the rows. */
  segmentBy: string | null;
  segments: FunnelSegment[];
}

export interface FunnelResult {
  rows: number;
  tasks: TaskFunnel[];
}

export interface Explanation {
  /** What was explained: a file and its part (the run's test split, or every row). */
  /** `rows` explained (a seeded sample) of the `of` rows in the part. */
  data: { path: string; subset: 'test' | 'validation' | 'all'; rows: number; of: number };
  createdAt: string;
  importance: ImportanceResult | null;
  /**
   * Rows to pick from for "why this prediction": a seeded sample of the explained rows (file
   * row, and the prediction of each task in chain order).
   */
  picks: { row: number; predictions: number[] }[];
  rows: RowExplanation[];
  partialDependence: PartialDependence[];
  funnel: FunnelResult | null;
}
