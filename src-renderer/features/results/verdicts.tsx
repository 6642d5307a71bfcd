// How an experiment's numbers read in the Results tab: a metric's mean ± sd over seeds, a
// paired difference with its 95% interval, and the verdict, marked by a symbol and words as
// well as colour ("▲ better, likely real", "≈ within noise", "one seed: no interval"), so a
// difference that clears the noise stands out for every reader. Shared by the experiments'
// report and the comparison of run groups; the rounding follows shared/experiments/stats.

import {
  decimalsFor,
  signed,
  spreadScale,
  type Verdict,
} from '../../../src-main/shared/experiments/stats';
import { formatMetric } from '../../ui/format';

/** "0.7412 ± 0.0031": a metric's mean and sd over seeds as every table shows metrics. */
export function formatMeanSd(metric: string, value: { mean: number; sd: number }): string {
  const sd = Number.isFinite(value.sd) ? formatMetric(metric, value.sd) : 'no sd (one seed)';
  return `${formatMetric(metric, value.mean)} ± ${sd}`;
}

interface Difference {
  diff: number;
  low: number;
  high: number;
}

function digitsOf(d: Difference): number {
  return decimalsFor(spreadScale((d.high - d.low) / 2, d.diff));
}

/** "+0.004": a difference to the first significant digit of its interval. */
export function formatDiff(d: Difference): string {
  return signed(d.diff, digitsOf(d));
}

/** "+0.001 to +0.007", or the reason there is none. */
export function formatInterval(d: Difference & { verdict: Verdict }): string {
  if (d.verdict === 'one seed: no interval') return 'one seed: no interval';
  const digits = digitsOf(d);
  return `${signed(d.low, digits)} to ${signed(d.high, digits)}`;
}

/** Which way a real difference goes: better, worse, or (no direction) just different. */
function verdictWords(verdict: Verdict, diff: number, direction: 1 | -1 | 0): string {
  if (verdict !== 'likely real') return verdict;
  if (direction === 0) return 'differs, likely real';
  return Math.sign(diff) === direction ? 'better, likely real' : 'worse, likely real';
}

const MARKS: Record<string, string> = {
  'better, likely real': '▲',
  'worse, likely real': '▼',
  'differs, likely real': '●',
  'within noise': '≈',
  'one seed: no interval': '·',
};

/** The verdict as a badge: a symbol, the words, and a class per kind (colour is extra). */
export function VerdictBadge({
  verdict,
  diff,
  direction,
  testId,
}: {
  verdict: Verdict;
  diff: number;
  direction: 1 | -1 | 0;
  testId?: string;
}) {
  const words = verdictWords(verdict, diff, direction);
  const kind =
    verdict === 'likely real'
      ? words.startsWith('worse')
        ? 'worse'
        : 'better'
      : verdict === 'within noise'
        ? 'noise'
        : 'none';
  return (
    <span
      className={`j-verdict j-verdict-${kind}`}
      data-verdict={verdict}
      data-testid={testId}
      title={
        verdict === 'likely real'
          ? 'The 95% interval of the paired difference excludes zero: more than seed noise.'
          : verdict === 'within noise'
            ? 'The 95% interval of the paired difference includes zero: it may be seed noise.'
            : 'With one seed there is no spread to judge the difference by: repeat with more seeds.'
      }
    >
      <span aria-hidden="true">{MARKS[words]} </span>
      {words}
    </span>
  );
}

/** "The label embedding unit helps …": a sentence of the report with a capital letter. */
export function sentence(text: string): string {
  return text.length > 0 ? text[0].toUpperCase() + text.slice(1) : text;
}
