// The profile of one column: what it holds (missing values, distinct values, the share of
// positives of a 0/1 column, a numeric summary) with its histogram or its most frequent values.

import type { ColumnSummary } from '../../../src-main/ipc/api';
import { BarChart, ChartCard, histogramBars } from '../../ui/charts';
import { decimalCommaText, notNumbersText } from '../../store/journey/binding';
import { READINGS } from '../../ui/readings';
import { formatCount, formatNumber, formatPercent } from '../../ui/format';

export const KIND_TEXT: Record<ColumnSummary['kind'], string> = {
  categorical: 'categorical (text)',
  numeric: 'numeric (few whole values)',
  binary: 'binary (0/1)',
  continuous: 'continuous (numbers)',
};

export function ColumnProfile({ column, rows }: { column: ColumnSummary; rows: number }) {
  const present = rows - column.missing;
  const stats = column.stats;
  const hist = stats ? histogramBars(stats.histogram) : null;
  return (
    <section
      className="j-profile"
      aria-label={`Profile of ${column.name}`}
      data-testid="column-profile"
      data-column={column.name}
    >
      <h3 className="j-profile-title">
        {column.name} <span className="j-kind-badge">{KIND_TEXT[column.kind]}</span>
      </h3>
      <dl className="j-facts">
        <dt title="Rows where the column is empty or a missing token (NA, null, …)">Missing</dt>
        <dd data-testid="profile-missing">
          {formatCount(column.missing)} ({formatPercent(rows ? column.missing / rows : 0)})
        </dd>
        <dt title="How many different values the column holds">Distinct values</dt>
        <dd data-testid="profile-distinct">{formatCount(column.distinct)}</dd>
        {column.notNumbers && (
          <>
            <dt
              title={
                column.notNumbers.readAsMissing
                  ? 'Cells of a column of numbers that are not numbers (4e, -, Inf): the model sees them as missing'
                  : 'Values of a column of numbers that are not numbers (a currency sign, a word)'
              }
            >
              Not numbers
            </dt>
            <dd
              className="j-warn-text"
              data-testid={
                column.notNumbers.readAsMissing ? 'profile-invalid' : 'profile-not-numbers'
              }
            >
              {notNumbersText(column)}
            </dd>
          </>
        )}
        {column.decimalComma && (
          <>
            <dt title="How the numbers of this column are written">Decimal comma</dt>
            <dd data-testid="profile-decimal-comma">{decimalCommaText(column)}</dd>
          </>
        )}
        {column.positiveRate !== undefined && (
          <>
            <dt title="The share of rows with a positive (1, true, yes) value: the target rate">
              Positive rate
            </dt>
            <dd data-testid="profile-positive-rate">{formatPercent(column.positiveRate, 2)}</dd>
          </>
        )}
        {stats && (
          <>
            <dt title="Smallest and largest value">Range</dt>
            <dd>
              {formatNumber(stats.min)} to {formatNumber(stats.max)}
            </dd>
            <dt title="Mean and median of the values present">Mean · median</dt>
            <dd data-testid="profile-mean">
              {formatNumber(stats.mean)} · {formatNumber(stats.median)}
            </dd>
            <dt title="The share of values that are exactly zero (e.g. no purchase amount)">
              Zeros
            </dt>
            <dd>{formatPercent(stats.zeroShare)}</dd>
          </>
        )}
      </dl>
      {stats && hist && column.kind !== 'binary' && (
        <ChartCard
          title={`Histogram · ${column.name}`}
          note={stats.histogram.logScale ? 'log-spaced bins' : undefined}
          help={`How the ${formatCount(present)} values of ${column.name} are distributed${
            stats.histogram.logScale ? ' (bins are log-spaced, for skewed amounts)' : ''
          }.`}
          reading={READINGS.histogram(column.name)}
          testId="profile-histogram"
        >
          <BarChart
            title={`Histogram of ${column.name}`}
            bars={hist.bars}
            edgeTicks={hist.edgeTicks}
            xLabel={column.name}
            yLabel="Rows"
            color={2}
          />
        </ChartCard>
      )}
      {column.top && column.top.length > 0 && (!stats || column.kind === 'binary') && (
        <ChartCard
          title={`Most frequent · ${column.name}`}
          help={`The most frequent values of ${column.name} and how many rows hold each.`}
          reading={READINGS.top(column.name)}
          testId="profile-top"
        >
          <BarChart
            title={`Most frequent values of ${column.name}`}
            bars={column.top.map((t) => ({
              label: t.value,
              value: t.count,
              title: `${t.value}: ${formatCount(t.count)} rows (${formatPercent(t.count / Math.max(1, rows))})`,
            }))}
            xLabel="Value"
            yLabel="Rows"
            color={1}
          />
        </ChartCard>
      )}
    </section>
  );
}
