// @vitest-environment happy-dom
// The Results tab's core-task section: the plain sentence (predicted total vs actual, ranking
// Gini), R-squared, the total ratio, the warning when NRMSE >= 1 and the decile calibration chart.

import { afterEach, describe, expect, it } from 'vitest';
import type { RunDetail } from '../../../src-main/ipc/api';
import {
  CoreTaskSummary,
  coreSentence,
  noBetterThanAverage,
} from '../../../src-renderer/features/results/CoreTaskSummary';
import { fixtureRuns, maybeTestId, render, type Rendered } from './helpers';

let view: Rendered | null = null;
afterEach(() => {
  view?.unmount();
  view = null;
});

function withAmount(metrics: Record<string, number>): RunDetail {
  const run = fixtureRuns()[0];
  const amount = run.tasks.find((t) => t.type === 'regression')!.name;
  run.test = { ...run.test, [amount]: { ...run.test![amount], ...metrics } };
  run.curves = {
    ...run.curves,
    [amount]: {
      ...run.curves[amount],
      deciles: { meanPredicted: [0.1, 1, 5], meanActual: [0, 1.2, 4.5], count: [10, 10, 10] },
    },
  };
  return run;
}

describe('the core task in words', () => {
  it('says what the predictions sum to and how well they rank', () => {
    expect(coreSentence('amount', { totalRatio: 0.98, gini: 0.3412 })).toBe(
      'predictions sum to 98% of actual amount; ranking Gini 0.34',
    );
    expect(coreSentence('play_time', { totalRatio: 0.02 })).toBe(
      'predictions sum to 2% of actual play time',
    );
    expect(coreSentence('amount', undefined)).toBeNull();
    expect(noBetterThanAverage({ nrmse: 1 })).toBe(true);
    expect(noBetterThanAverage({ nrmse: 0.93 })).toBe(false);
  });

  it('shows R-squared, the total ratio and the decile chart; warns when NRMSE >= 1', async () => {
    const good = withAmount({ nrmse: 0.9, r2: 0.19, totalRatio: 1.03, gini: 0.5 });
    const amount = good.tasks.find((t) => t.type === 'regression')!.name;
    view = await render(<CoreTaskSummary run={good} />);
    expect(maybeTestId(document, `core-sentence-${amount}`)?.textContent).toMatch(
      /^Predictions sum to 103% of actual .*; ranking Gini 0\.50\.$/,
    );
    expect(maybeTestId(document, `core-r2-${amount}`)?.textContent).toBe('0.190');
    expect(maybeTestId(document, `core-total-${amount}`)?.textContent).toBe('103%');
    expect(maybeTestId(document, `core-warning-${amount}`)).toBeNull();
    expect(
      maybeTestId(document, `chart-deciles-${amount}`)?.querySelectorAll('circle').length,
    ).toBe(3);
    view.unmount();

    const bad = withAmount({ nrmse: 1.0, r2: 0, totalRatio: 0.02, gini: 0.3 });
    view = await render(<CoreTaskSummary run={bad} />);
    expect(maybeTestId(document, `core-warning-${amount}`)?.textContent).toMatch(
      /no better than predicting the average for everyone/,
    );
    expect(maybeTestId(document, `core-total-${amount}`)?.textContent).toBe('2%');
  });
});
