// @vitest-environment happy-dom
// The Train tab fed with a recorded run's events: data:check before train:start, the progress
// bar with samples/s and ETA, the per-task loss and metric charts and the gradient panel
// filling up, Stop, how the run ended (including divergence), blocking problems pinned to
// blocks, and the settings written back to the project.

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HostEvent, TrainProgress } from '../../../src-main/ipc/api';
import type { Problem } from '../../../src-main/shared/problems';
import type { ProjectFile } from '../../../src-main/shared/project';
import { TrainScreen } from '../../../src-renderer/features/train/TrainScreen';
import { formatCount, formatMetric } from '../../../src-renderer/ui/format';
import {
  byTestId,
  click,
  emptyProject,
  fakeHost,
  fixtureEvents,
  fixtureProject,
  fixtureRuns,
  flush,
  maybeTestId,
  pressEnter,
  render,
  summaryOf,
  text,
  typeInto,
  type FakeHost,
  type Rendered,
} from './helpers';

let view: Rendered | null = null;
afterEach(() => {
  view?.unmount();
  view = null;
});

const progress = (p: TrainProgress): HostEvent => ({
  type: 'train:progress',
  jobId: 'j-train',
  runId: 'r1',
  progress: p,
});

function points(root: ParentNode, chart: string, series: string): number {
  const g = root.querySelector(`[data-testid="${chart}"] [data-series="${series}"]`);
  return Number(g?.getAttribute('data-points') ?? -1);
}

function progressNow(root: ParentNode): number {
  const bar = byTestId(root, 'train-progress').querySelector('[role="progressbar"]')!;
  return Number(bar.getAttribute('aria-valuenow'));
}

async function startRun(problems: Problem[] = []) {
  const host = fakeHost({
    'data:check': () => problems,
    'train:start': () => ({ jobId: 'j-train', runId: 'r1' }),
    'job:cancel': () => null,
    'runs:list': () => [],
  });
  const project = fixtureProject();
  const onShowBlocks = vi.fn();
  view = await render(
    <TrainScreen project={project} onProjectChange={vi.fn()} onShowBlocks={onShowBlocks} />,
  );
  expect(maybeTestId(view.container, 'live-empty')).not.toBeNull();
  await typeInto(byTestId(view.container, 'run-label'), 'First try');
  await click(byTestId(view.container, 'train-start'));
  return { host, project, onShowBlocks };
}

async function replay(host: FakeHost, events: TrainProgress[]) {
  for (const e of events) await host.emit(progress(e));
}

describe('the Train tab', () => {
  it('checks, trains and draws the run as its events arrive', async () => {
    const { host, project } = await startRun();
    const c = view!.container;
    expect(host.callsOf('data:check')).toEqual([[project, '/ws/sample-6k.csv']]);
    expect(host.callsOf('train:start')).toEqual([
      [{ project, dataPath: '/ws/sample-6k.csv', label: 'First try' }],
    ]);
    expect(byTestId(c, 'train-stop')).toBeTruthy();

    const events = fixtureEvents();
    const start = events[0] as Extract<TrainProgress, { type: 'start' }>;
    const firstEpoch = events.findIndex((e) => e.type === 'epoch');
    // The amount task does best at epoch 1, while the run keeps epoch 3 (best over all tasks).
    (events[firstEpoch] as Extract<TrainProgress, { type: 'epoch' }>).validation.amount.nrmse = 0.9;
    // Reading the file, then the first batches.
    await host.emit({
      type: 'job:progress',
      jobId: 'j-train',
      kind: 'train',
      done: 300,
      total: 1200,
      stage: 'reading',
    });
    expect(progressNow(c)).toBe(25);
    expect(text(byTestId(c, 'train-progress'))).toContain('Reading sample-6k.csv');
    await replay(host, events.slice(0, 3));
    const batch = events[2] as Extract<TrainProgress, { type: 'batch' }>;
    const total = start.epochs * start.batchesPerEpoch;
    expect(progressNow(c)).toBe(Math.round((batch.batch / total) * 1000) / 10);
    const status = text(byTestId(c, 'train-progress'));
    expect(status).toContain(`Epoch 1 of 3 · batch ${batch.batch} of ${start.batchesPerEpoch}`);
    expect(status).toContain(`${formatCount(batch.samplesPerSecond)} samples/s`);
    expect(status).toMatch(/about \d+ s left/);
    for (const task of ['click', 'purchase', 'amount']) {
      expect(points(c, `chart-loss-${task}`, 'batch')).toBe(2);
      expect(points(c, `chart-loss-${task}`, 'validation')).toBe(0);
    }
    expect(points(c, 'chart-grad-norm', 'amount')).toBe(2);
    expect(points(c, 'chart-grad-cosine', 'click')).toBe(2);
    expect(c.querySelector('[data-testid="chart-grad-cosine"] [data-series="amount"]')).toBeNull();
    expect(byTestId(c, 'gradient-panel').querySelector('[title*="HTLNet"]')).not.toBeNull();

    // The first epoch: validation points and the metric.
    await replay(host, events.slice(3, firstEpoch + 1));
    const e1 = events[firstEpoch] as Extract<TrainProgress, { type: 'epoch' }>;
    expect(points(c, 'chart-loss-click', 'validation')).toBe(1);
    expect(points(c, 'chart-metric-click', 'auc')).toBe(1);
    expect(points(c, 'chart-metric-amount', 'nrmse')).toBe(1);
    expect(text(byTestId(c, 'live-metric-click'))).toBe(
      `AUC ${formatMetric('auc', e1.validation.click.auc)}`,
    );
    expect(byTestId(c, 'epoch-table').querySelectorAll('tbody tr')).toHaveLength(1);

    // The rest of the run.
    await replay(host, events.slice(firstEpoch + 1));
    expect(points(c, 'chart-metric-purchase', 'auc')).toBe(3);
    const marker = (chart: string) => {
      const g = byTestId(c, chart).querySelector('.jc-marker')!;
      return `${g.getAttribute('data-x')} ${text(g)}`;
    };
    expect(marker('chart-metric-amount')).toBe('1 best');
    expect(marker('chart-metric-click')).toBe('3 best, kept');
    expect(marker('chart-loss-amount')).toBe('3 kept');
    // Every chart and panel says how to read it; the gradient panel in plain words.
    for (const card of Array.from(c.querySelectorAll('figure.j-chart-card'))) {
      expect(
        card.querySelector('.j-reading'),
        card.getAttribute('data-testid') ?? '',
      ).not.toBeNull();
    }
    expect(maybeTestId(c, 'epoch-reading')).not.toBeNull();
    const intro = text(byTestId(c, 'gradient-intro'));
    expect(intro).toContain('shared layers');
    expect(intro).not.toMatch(/norm|cosine|G_t/i);
    expect(text(byTestId(c, 'chart-grad-cosine-reading'))).toContain('same direction');
    expect(text(byTestId(c, 'train-progress'))).toContain('Evaluating on the test split');
    const run = summaryOf(fixtureRuns()[0]);
    await host.emit({ type: 'train:done', jobId: 'j-train', run: { ...run, id: 'r1' } });
    const outcome = byTestId(c, 'train-outcome');
    expect(outcome.getAttribute('data-status')).toBe('completed');
    expect(text(byTestId(c, 'outcome-metric-click'))).toContain(
      formatMetric('auc', run.test!.click.auc),
    );
    expect(text(byTestId(c, 'outcome-metric-amount'))).toContain(
      `NRMSE ${formatMetric('nrmse', run.test!.amount.nrmse)}`,
    );
    expect(maybeTestId(c, 'train-start')).not.toBeNull();
    expect(host.callsOf('runs:list').length).toBeGreaterThan(0);
  });

  it('stops a run, which still ends with its best weights evaluated', async () => {
    const { host } = await startRun();
    const c = view!.container;
    await replay(host, fixtureEvents().slice(0, 4));
    await click(byTestId(c, 'train-stop'));
    expect(host.callsOf('job:cancel')).toEqual([['j-train']]);
    expect(text(byTestId(c, 'train-stop'))).toBe('Stopping…');
    expect(byTestId<HTMLButtonElement>(c, 'train-stop').disabled).toBe(true);
    const run = summaryOf(fixtureRuns()[0]);
    await host.emit({
      type: 'train:done',
      jobId: 'j-train',
      run: { ...run, id: 'r1', status: 'cancelled', message: 'Stopped; kept epoch 1.' },
    });
    expect(byTestId(c, 'train-outcome').getAttribute('data-status')).toBe('cancelled');
    expect(text(byTestId(c, 'train-outcome'))).toContain('Stopped; kept epoch 1.');
    expect(maybeTestId(c, 'train-error')).toBeNull();
  });

  it('says clearly when a run diverged or failed', async () => {
    const { host } = await startRun();
    const c = view!.container;
    await replay(host, fixtureEvents().slice(0, 2));
    const run = summaryOf(fixtureRuns()[0]);
    const message =
      'The loss of task "amount" became NaN at epoch 1, batch 8: lower the learning rate.';
    await host.emit({
      type: 'train:done',
      jobId: 'j-train',
      run: { ...run, id: 'r1', status: 'diverged', message, test: null },
    });
    expect(text(byTestId(c, 'train-error'))).toContain('Training diverged.');
    expect(text(byTestId(c, 'train-error'))).toContain(message);

    // A job that fails outright.
    await click(byTestId(c, 'train-start'));
    await host.emit({
      type: 'job:failed',
      jobId: 'j-train',
      kind: 'train',
      error: 'Out of memory.',
    });
    expect(text(byTestId(c, 'train-error'))).toContain('Out of memory.');
  });

  it('does not train while data:check finds errors, and pins them to blocks', async () => {
    const problems: Problem[] = [
      {
        severity: 'error',
        code: 'data-missing-column',
        message: 'sample-6k.csv has no column "amount", the target of task "amount".',
        blocks: ['head-amount'],
        field: 'task',
      },
      {
        severity: 'warning',
        code: 'something',
        message: 'A warning.',
        blocks: [],
      },
    ];
    const { host, onShowBlocks } = await startRun(problems);
    const c = view!.container;
    expect(host.callsOf('train:start')).toEqual([]);
    const items = Array.from(c.querySelectorAll('[data-testid="check-problem"]'));
    expect(items.map((i) => i.getAttribute('data-code'))).toEqual([
      'data-missing-column',
      'something',
    ]);
    // Refused: a still message, no (animated) progress bar.
    expect(maybeTestId(c, 'train-progress')).toBeNull();
    expect(c.querySelector('[role="progressbar"]')).toBeNull();
    expect(text(byTestId(c, 'train-blocked'))).toContain('Fix the problems below');
    await click(items[0].querySelector('button')!);
    expect(onShowBlocks).toHaveBeenCalledWith(['head-amount']);
  });

  it('edits epochs, batch size, learning rate and the split in the project', async () => {
    fakeHost({});
    const project = fixtureProject();
    let current: ProjectFile = project;
    const onProjectChange = vi.fn((p: ProjectFile) => {
      current = p;
    });
    view = await render(<TrainScreen project={project} onProjectChange={onProjectChange} />);
    const c = view.container;
    const epochs = byTestId<HTMLInputElement>(c, 'setting-epochs');
    expect(epochs.value).toBe('3');
    await typeInto(epochs, '0');
    await pressEnter(epochs);
    expect(onProjectChange).not.toHaveBeenCalled();
    expect(epochs.getAttribute('aria-invalid')).toBe('true');
    await typeInto(epochs, '7');
    await pressEnter(epochs);
    const optimizer = (p: ProjectFile) => p.graph.blocks.find((b) => b.type === 'optimizer')!;
    expect(optimizer(current).params.epochs).toBe(7);
    expect(optimizer(project).params.epochs).toBe(3); // the old project is untouched

    await view.rerender(<TrainScreen project={current} onProjectChange={onProjectChange} />);
    const lr = byTestId<HTMLInputElement>(c, 'setting-learningRate');
    await typeInto(lr, '0.005');
    await pressEnter(lr);
    expect(optimizer(current).params.learningRate).toBe(0.005);
    expect(optimizer(current).params.epochs).toBe(7);

    await view.rerender(<TrainScreen project={current} onProjectChange={onProjectChange} />);
    await typeInto(byTestId(c, 'setting-train-pct'), '70');
    await typeInto(byTestId(c, 'setting-validation-pct'), '15');
    expect(text(byTestId(c, 'setting-test-pct'))).toBe('15');
    await pressEnter(byTestId(c, 'setting-validation-pct'));
    expect(current.training.fractions).toEqual([0.7, 0.15, 0.15]);
    await typeInto(byTestId(c, 'setting-train-pct'), '95');
    await pressEnter(byTestId(c, 'setting-train-pct'));
    expect(current.training.fractions).toEqual([0.7, 0.15, 0.15]);
    expect(text(c)).toContain('Leave some rows for the test split');
  });

  it('points to the Data tab when there is nothing to train on', async () => {
    fakeHost({});
    const onNavigate = vi.fn();
    view = await render(
      <TrainScreen project={emptyProject()} onProjectChange={vi.fn()} onNavigate={onNavigate} />,
    );
    expect(maybeTestId(view.container, 'train-start')).toBeNull();
    await click(byTestId(view.container, 'go-data'));
    expect(onNavigate).toHaveBeenCalledWith('data');
  });

  it('follows a run that was training before the window was reloaded', async () => {
    const detail = fixtureRuns()[0];
    const running = {
      ...detail,
      id: 'r9',
      status: 'running' as const,
      history: detail.history.slice(0, 1),
      test: null,
    };
    const host = fakeHost({ 'runs:get': () => running, 'job:cancel': () => null });
    // After a reload the editor may hold a blank project: the run is followed all the same.
    view = await render(<TrainScreen project={emptyProject()} onProjectChange={vi.fn()} />);
    const c = view.container;
    const batch = fixtureEvents().find((e) => e.type === 'batch' && e.epoch === 2) as Extract<
      TrainProgress,
      { type: 'batch' }
    >;
    await host.emit({ type: 'train:progress', jobId: 'j-old', runId: 'r9', progress: batch });
    expect(host.callsOf('runs:get')).toEqual([['r9']]);
    // Its record fills in the tasks and the epoch already done.
    expect(points(c, 'chart-metric-click', 'auc')).toBe(1);
    expect(points(c, 'chart-loss-click', 'batch')).toBe(1);
    expect(text(byTestId(c, 'train-progress'))).toContain(`Epoch 2 of 3 · batch ${batch.batch}`);
    expect(text(c.querySelector('.j-screen-head'))).toContain(
      'HTLNet funnel (3 epochs) on sample-6k.csv',
    );
    expect(maybeTestId(c, 'train-settings')).toBeNull();
    await click(byTestId(c, 'train-stop'));
    expect(host.callsOf('job:cancel')).toEqual([['j-old']]);
  });

  it('stops before training when Stop comes while the data is being checked', async () => {
    let finishCheck: (p: Problem[]) => void = () => undefined;
    const host = fakeHost({
      'data:check': () => new Promise<Problem[]>((resolve) => (finishCheck = resolve)),
      'train:start': () => ({ jobId: 'j-train', runId: 'r1' }),
    });
    view = await render(<TrainScreen project={fixtureProject()} onProjectChange={vi.fn()} />);
    const c = view.container;
    await click(byTestId(c, 'train-start'));
    expect(text(byTestId(c, 'train-progress'))).toContain('Checking the project');
    await click(byTestId(c, 'train-stop'));
    finishCheck([]);
    await flush();
    expect(host.callsOf('train:start')).toEqual([]);
    expect(maybeTestId(c, 'train-start')).not.toBeNull();
  });
});
