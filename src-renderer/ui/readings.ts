// "How to read this" for every chart and panel, written for an analyst: what is drawn, and what
// good looks like. One place, so the Train and Results screens (and their tests) say the same.

export const READING_SUMMARY = 'How to read this';

export interface Reading {
  /** What good looks like, in one line (always shown under the chart). */
  good: string;
  /** How to read it (shown on demand). */
  how: string;
}

export const READINGS = {
  roc: (task: string): Reading => ({
    good: 'Good: the curve bows toward the top-left corner. AUC 0.5 (the diagonal) is guessing; about 0.7 is useful for a funnel step, 0.8 and above is strong.',
    how: `Each point is a cut-off on the predicted probability of ${task}: rows above it count as "yes". Up: the share of real ${task}s the model catches. Across: the share of the others it flags by mistake. When several runs are drawn, the higher curve catches more at the same rate of false alarms.`,
  }),
  calibration: (task: string): Reading => ({
    good: 'Good: the dots sit on the diagonal: a predicted 2% happens 2% of the time.',
    how: `Test rows are sorted by their predicted probability of ${task} and cut into ten groups of equal size. Each dot is one group: its average prediction (across) and how often ${task} really happened in it (up). Above the diagonal the model predicts too low; below it, too high. The axes zoom to the range the model predicts, so a rare event (1% positives) is still readable.`,
  }),
  lorenz: (task: string): Reading => ({
    good: 'Good: the curve climbs steeply on the left, far above the diagonal (a high Gini).',
    how: `Test rows are ordered by predicted ${task}, largest first. The curve shows the share of the actual total ${task} held by the top x% of rows. The diagonal is a random order (Gini 0); a perfect ranking puts all the ${task} in the first rows. Use it to judge targeting: the top 10% by prediction should hold far more than 10% of the total.`,
  }),
  deciles: (task: string): Reading => ({
    good: 'Good: the dots sit on the diagonal from the smallest group to the largest: predictions are right on average everywhere, so sums of them (budgets, forecasts) come out right.',
    how: `Test rows are sorted by their predicted ${task} and cut into ten groups of equal size. Each dot is one group: its average prediction (across) and its average actual ${task} (up). Above the diagonal the model predicts too little for those rows, below it too much. The groups to the right are the ones a campaign would target first.`,
  }),
  scatter: (task: string): Reading => ({
    good: 'Good: the dots hug the diagonal. A flat band means the model predicts about the same for everyone.',
    how: `Each dot is a test row: the actual ${task} across, the predicted one up. Dots above the diagonal are over-predicted, below it under-predicted. Rows with no ${task} (0) line up at the left edge. The axes switch to a log scale when a few large values would squeeze the rest.`,
  }),
  history: (metric: string): Reading => ({
    good: `Good: ${metricGood(metric)} It improves over the first epochs, then levels off.`,
    how: `The task's ${metric} on the validation rows (held out from training) after each epoch. If it gets worse while the training loss keeps falling, the model is learning the training rows by heart (over-fitting). "best" marks this task's best epoch; "kept" (or "best, kept") the epoch whose weights the run keeps, chosen over all tasks.`,
  }),
  loss: (): Reading => ({
    good: 'Good: both lines fall and stay close together. Lower is better.',
    how: 'The loss is the error the model minimises. Faint: each batch (noisy). Solid: the whole training split per epoch; dashed: the validation split. Validation rising while training keeps falling means over-fitting: early stopping then ends the run and keeps the best epoch ("kept").',
  }),
  metric: (metric: string): Reading => ({
    good: `Good: ${metricGood(metric)}`,
    how: `The task's ${metric} measured on the validation rows after each epoch: the rows are held out from training, so it shows how the model does on data it has not learned from.`,
  }),
  gradientNorm: (): Reading => ({
    good: 'Good: the lines are of a similar size; one task far above the others drowns them out.',
    how: 'All tasks learn through the same shared layers (the embedding). Each line shows how strongly one task pushes those shared layers at each batch. A spending amount often pushes far harder than a click, so the click would barely be learned; HTLNet rescales each push to the size of the core task’s.',
  }),
  gradientCosine: (core: string): Reading => ({
    good: `Good: mostly above 0, the task pushes the shared layers the same way as ${core || 'the core task'}.`,
    how: `Whether each task pushes the shared layers in the same direction as ${core || 'the core task'}: +1 the same direction, 0 unrelated, below 0 against it (what helps one hurts the other). HTLNet removes the part of a task's push that works against the core task before each step, so the funnel steps help the amount instead of competing with it.`,
  }),
  testMetrics: (): Reading => ({
    good: 'Good: AUC well above 0.5 for yes/no steps; NRMSE below 1 and Gini above 0 for amounts.',
    how: 'Measured once, at the end, on the test rows: rows the model never saw while training, so they tell how it will do on new data. The highlighted metric of each task is the one the tables and charts lead with; hover a name for its definition.',
  }),
  compare: (): Reading => ({
    good: 'The highlighted value in each row is the best run for that metric; equal values (as shown) highlight nobody.',
    how: 'Every run is measured on its own test rows. Runs on the same data file and split compare fairly; a difference in the fourth decimal is usually noise. Look at the core task (the amount) first: that is what HTLNet is built to improve.',
  }),
  epochs: (): Reading => ({
    good: 'Good: the metrics improve over the first epochs, then level off.',
    how: 'One row per epoch: each task’s headline metric on the validation rows, the training speed and the time the epoch took. The row marked "kept" is the epoch whose weights the run keeps.',
  }),
  histogram: (column: string): Reading => ({
    good: 'Look for: a long right tail (amounts), a spike at 0, or values that should not be there.',
    how: `How many rows hold each range of ${column}. Skewed amounts get log-spaced bins so the few large values do not squeeze the rest.`,
  }),
  top: (column: string): Reading => ({
    good: 'Look for: one value holding almost every row (little to learn from), or a long tail of rare values.',
    how: `The most frequent values of ${column} and how many rows hold each.`,
  }),
} as const;

function metricGood(metric: string): string {
  switch (metric) {
    case 'AUC':
      return 'higher; 0.5 is guessing, 1 is perfect.';
    case 'NRMSE':
      return 'lower; 1 is no better than predicting the average for everyone.';
    case 'Gini':
      return 'higher; 0 is a random ranking.';
    case 'LogLoss':
      return 'lower.';
    default:
      return 'see the metric’s definition (hover its name).';
  }
}
