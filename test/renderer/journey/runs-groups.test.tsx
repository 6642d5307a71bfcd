// @vitest-environment happy-dom
// The runs table with run groups: each run's group (experiment · variant · seed) and disk use,
// the total, the filter by experiment, 300 rows at once, and the Prune dialog, which shows the
// runs the host would delete and the space freed (a dry run) before deleting them.

import { afterEach, describe, expect, it } from 'vitest';
import type { PruneOptions, RunSummary } from '../../../src-main/ipc/api';
import { ResultsScreen } from '../../../src-renderer/features/results/ResultsScreen';
import { formatBytes } from '../../../src-renderer/ui/format';
import { EXPERIMENT_ID, EXPERIMENT_NAME, experimentSummaries } from './experiment-fixture';
import {
  byTestId,
  chooseOption,
  click,
  fakeHost,
  fixtureRuns,
  maybeTestId,
  render,
  summaryOf,
  text,
  typeInto,
  type Rendered,
} from './helpers';

let view: Rendered | null = null;
afterEach(() => {
  view?.unmount();
  view = null;
});

function rows(c: ParentNode): string[] {
  return Array.from(c.querySelectorAll('[data-testid="runs-table"] tbody tr')).map((r) =>
    r.getAttribute('data-run')!,
  );
}

/** The experiment's six runs and one run of no experiment, with a host that can prune. */
async function open(extra: RunSummary[] = []) {
  const single: RunSummary = { ...summaryOf(fixtureRuns()[1]), diskBytes: 1_500_000 };
  let runs: RunSummary[] = [...experimentSummaries(), single, ...extra];
  const host = fakeHost({
    'runs:list': () => runs,
    'runs:get': (id) => ({ ...fixtureRuns()[0], ...runs.find((r) => r.id === id)! }),
    'experiments:list': () => [],
    'runs:prune': (options: PruneOptions) => {
      const chosen = options.group
        ? runs.filter((r) => r.group?.id === options.group)
        : options.keepNewest !== undefined
          ? runs.slice(options.keepNewest)
          : [];
      const result = {
        deleted: chosen.map((r) => r.id),
        freedBytes: chosen.reduce((s, r) => s + (r.diskBytes ?? 0), 0),
      };
      if (!options.dryRun) runs = runs.filter((r) => !result.deleted.includes(r.id));
      return result;
    },
  });
  view = await render(<ResultsScreen />);
  return { host, c: view.container, single, all: () => runs };
}

describe('the runs table with run groups', () => {
  it('shows each run’s group and disk use, the total, and filters by experiment', async () => {
    const { c, single, all } = await open();
    const grouped = experimentSummaries();
    const run = grouped.find((r) => r.group!.variant === 'without LEU' && r.group!.seed === 2)!;
    expect(text(byTestId(c, `run-group-${run.id}`))).toBe(
      `${EXPERIMENT_NAME} · without LEU · seed 2`,
    );
    expect(text(byTestId(c, `run-group-${single.id}`))).toBe('–');
    expect(text(byTestId(c, `run-disk-${run.id}`))).toBe(formatBytes(run.diskBytes!));
    const total = all().reduce((s, r) => s + (r.diskBytes ?? 0), 0);
    expect(text(byTestId(c, 'runs-count'))).toContain(`7 runs · ${formatBytes(total)} on disk`);

    const filter = byTestId<HTMLSelectElement>(c, 'runs-group-filter');
    await chooseOption(filter, `group:${EXPERIMENT_ID}`);
    expect(rows(c).sort()).toEqual(grouped.map((r) => r.id).sort());
    expect(text(byTestId(c, 'runs-count'))).toContain('6 runs of 7');
    await chooseOption(filter, 'single');
    expect(rows(c)).toEqual([single.id]);
    await chooseOption(filter, 'all');
    expect(rows(c)).toHaveLength(7);
  });

  it('renders 300 runs and filters them', async () => {
    const base = summaryOf(fixtureRuns()[0]);
    const many: RunSummary[] = Array.from({ length: 293 }, (_, i) => ({
      ...base,
      id: `r20250101-${String(100000 + i).slice(0, 6)}-${String(i).padStart(6, '0')}`,
      label: `run ${i}`,
      startedAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(),
      group: i % 3 === 0 ? { id: 'x-big', name: 'Big sweep', variant: `v${i % 5}`, seed: i } : null,
      diskBytes: 1000,
    }));
    const { c } = await open(many);
    expect(rows(c)).toHaveLength(300);
    await chooseOption(byTestId(c, 'runs-group-filter'), 'group:x-big');
    expect(rows(c)).toHaveLength(98);
  });

  it('prunes an experiment’s runs after showing which and the space freed', async () => {
    const { host, c, single } = await open();
    await chooseOption(byTestId(c, 'runs-group-filter'), `group:${EXPERIMENT_ID}`);
    await click(byTestId(c, 'runs-prune'));
    const dialog = byTestId(c, 'prune-dialog');
    // It opens on the filtered experiment and asks the host for a dry run only.
    expect(byTestId<HTMLInputElement>(dialog, 'prune-mode-group').checked).toBe(true);
    expect(host.callsOf('runs:prune')).toEqual([[{ group: EXPERIMENT_ID, dryRun: true }]]);
    const grouped = experimentSummaries();
    const freed = grouped.reduce((s, r) => s + r.diskBytes!, 0);
    expect(text(byTestId(dialog, 'prune-summary'))).toContain(
      `6 runs will be deleted, freeing ${formatBytes(freed)}.`,
    );
    expect(byTestId(dialog, 'prune-list').querySelectorAll('li')).toHaveLength(6);
    expect(text(byTestId(dialog, 'prune-list'))).toContain(`${EXPERIMENT_NAME} · full · seed 1`);

    // Another choice: all but the newest 6 keeps the newest six, previewed again.
    await click(byTestId(dialog, 'prune-mode-newest'));
    await typeInto(byTestId(dialog, 'prune-keep'), '6');
    await click(byTestId(dialog, 'prune-mode-newest'));
    expect(host.callsOf('runs:prune').at(-1)).toEqual([{ keepNewest: 6, dryRun: true }]);
    expect(text(byTestId(dialog, 'prune-summary'))).toContain('1 run will be deleted');

    // Back to the experiment, and delete for real.
    await click(byTestId(dialog, 'prune-mode-group'));
    await click(byTestId(dialog, 'prune-confirm'));
    expect(host.callsOf('runs:prune').at(-1)).toEqual([{ group: EXPERIMENT_ID }]);
    expect(maybeTestId(c, 'prune-dialog')).toBeNull();
    expect(text(byTestId(c, 'runs-pruned'))).toBe(`Deleted 6 runs, freeing ${formatBytes(freed)}.`);
    expect(rows(c)).toEqual([single.id]);
  });

  it('cancelling the dialog deletes nothing', async () => {
    const { host, c } = await open();
    await click(byTestId(c, 'runs-prune'));
    await click(byTestId(c, 'prune-cancel'));
    expect(maybeTestId(c, 'prune-dialog')).toBeNull();
    expect(host.callsOf('runs:prune').every(([o]) => o.dryRun === true)).toBe(true);
    expect(rows(c)).toHaveLength(7);
  });
});
