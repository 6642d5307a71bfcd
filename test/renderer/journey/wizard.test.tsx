// @vitest-environment happy-dom
// The import wizard as a user drives it: pick a CSV in the workspace, watch the import's
// progress, change kinds, targets, their order and exclusions, and apply: the binding that
// reaches project:rebind, and the project handed back to the editor. Bad files and Cancel.

import { act } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProjectFile } from '../../../src-main/shared/project';
import { HostError } from '../../../src-renderer/app/api';
import { DataScreen } from '../../../src-renderer/features/data/DataScreen';
import {
  byTestId,
  chooseOption,
  click,
  emptyProject,
  fakeHost,
  journey,
  fixturePreview,
  fixtureProject,
  maybeTestId,
  render,
  text,
  typeInto,
  type Rendered,
} from './helpers';

const listing = {
  dir: '/ws',
  parent: null,
  entries: [
    {
      name: 'sample-6k.csv',
      path: '/ws/sample-6k.csv',
      isDirectory: false,
      size: 812_000,
      modifiedAt: '2025-03-01T10:00:00.000Z',
    },
  ],
};

let view: Rendered | null = null;
afterEach(() => {
  view?.unmount();
  view = null;
});

async function importSample(project: ProjectFile, onProjectChange = vi.fn()) {
  const host = fakeHost({
    'files:list': () => listing,
    'data:import': () => ({ jobId: 'j-import' }),
    'project:rebind': (p, binding) => ({ ...p, data: binding }),
    'project:validate': () => ({ problems: [], shapes: {} }),
  });
  view = await render(<DataScreen project={project} onProjectChange={onProjectChange} />);
  const use = view.container.querySelector<HTMLButtonElement>(
    '[data-testid="import-picker-files-use"][data-name="sample-6k.csv"]',
  )!;
  await click(use);
  expect(host.callsOf('data:import')).toEqual([['/ws/sample-6k.csv']]);
  return { host, onProjectChange };
}

describe('the import wizard', () => {
  it('imports a CSV with progress, then shows its columns, profile and first rows', async () => {
    const { host } = await importSample(emptyProject());
    const c = view!.container;
    await host.emit({
      type: 'job:progress',
      jobId: 'j-import',
      kind: 'import',
      done: 406_000,
      total: 812_000,
      stage: 'reading',
    });
    const bar = byTestId(c, 'import-progress').querySelector('[role="progressbar"]')!;
    expect(bar.getAttribute('aria-valuenow')).toBe('50');
    expect(text(byTestId(c, 'import-progress'))).toContain('Reading sample-6k.csv');
    expect(maybeTestId(c, 'import-cancel')).not.toBeNull();

    await host.emit({ type: 'import:done', jobId: 'j-import', preview: fixturePreview() });
    expect(byTestId(c, 'wizard-step-columns').getAttribute('aria-current')).toBe('step');
    expect(text(byTestId(c, 'file-facts'))).toContain('6,000 rows');
    // One row per column, in file order, with the inferred kind and controls.
    const rows = Array.from(c.querySelectorAll('[data-testid^="column-row-"]'));
    expect(rows.map((r) => r.getAttribute('data-testid'))).toEqual(
      fixturePreview().columns.map((col) => `column-row-${col.name}`),
    );
    expect(byTestId<HTMLInputElement>(c, 'target-amount').checked).toBe(true);
    expect(text(byTestId(c, 'kind-amount'))).toBe('regression target');
    // The chain with each target's rate.
    expect(text(byTestId(c, 'target-rate-click'))).toBe('22.68% positive');
    // The profile of the core target opens first, with its histogram.
    expect(byTestId(c, 'column-profile').getAttribute('data-column')).toBe('amount');
    const hist = byTestId(c, 'profile-histogram');
    expect(hist.querySelector('[data-series="bars"]')!.getAttribute('data-points')).toBe(
      String(
        fixturePreview().columns.find((col) => col.name === 'amount')!.stats!.histogram.counts
          .length,
      ),
    );
    // Another column's profile: missing and distinct values.
    await click(c.querySelector('[aria-label="Profile of region"]')!);
    expect(byTestId(c, 'column-profile').getAttribute('data-column')).toBe('region');
    expect(text(byTestId(c, 'profile-distinct'))).toBe('20');
    expect(maybeTestId(c, 'profile-top')).not.toBeNull();
    // First rows.
    const firstRows = byTestId(c, 'first-rows');
    expect(firstRows.querySelectorAll('tbody tr')).toHaveLength(fixturePreview().head.length);
    expect(text(firstRows.querySelector('tbody tr td'))).toBe(fixturePreview().head[0][0]);
  });

  it('turns kinds, targets, order and exclusions into the binding it applies', async () => {
    const project = fixtureProject();
    const onProjectChange = vi.fn();
    const { host } = await importSample(
      { ...project, data: { ...project.data, source: undefined } },
      onProjectChange,
    );
    const c = view!.container;
    await host.emit({ type: 'import:done', jobId: 'j-import', preview: fixturePreview() });

    // hour: numbers, preset categorical, and the wizard says why.
    expect(byTestId<HTMLSelectElement>(c, 'kind-hour').value).toBe('categorical');
    expect(text(byTestId(c, 'kind-reason-hour'))).toContain('few whole values');
    expect(maybeTestId(c, 'kind-reason-user_segment')).toBeNull();
    await chooseOption(byTestId(c, 'kind-hour'), 'numeric');
    expect(maybeTestId(c, 'kind-reason-hour')).toBeNull();
    await click(byTestId(c, 'exclude-user_id'));
    expect(byTestId(c, 'column-row-user_id').getAttribute('data-role')).toBe('excluded');
    expect(byTestId<HTMLSelectElement>(c, 'kind-user_id').disabled).toBe(true);
    await click(byTestId(c, 'target-purchase')); // untick: purchase becomes a feature
    await click(byTestId(c, 'move-up-amount')); // amount before click
    await click(byTestId(c, 'target-discount')); // a new, last target
    await chooseOption(byTestId(c, 'task-type-discount'), 'regression');
    const chain = Array.from(c.querySelectorAll('[data-testid^="chain-"]')).map((li) =>
      li.getAttribute('data-testid'),
    );
    expect(chain).toEqual(['chain-amount', 'chain-click', 'chain-discount']);
    expect(text(byTestId(c, 'role-counts'))).toBe('19 features · 3 targets · 1 excluded');

    await click(byTestId(c, 'wizard-next'));
    expect(byTestId(c, 'wizard-step-review').getAttribute('aria-current')).toBe('step');
    expect(text(byTestId(c, 'review-targets'))).toMatch(
      /Amount \(regression\).*Click \(binary\).*Discount \(regression\)/,
    );
    await click(byTestId(c, 'apply-binding'));

    const [[sentProject, binding]] = host.callsOf('project:rebind');
    expect(sentProject.graph).toEqual(project.graph);
    expect(binding.source).toBe('/ws/sample-6k.csv');
    expect(binding.tasks).toEqual([
      { name: 'amount', column: 'amount', type: 'regression' },
      { name: 'click', column: 'click', type: 'binary' },
      { name: 'discount', column: 'discount', type: 'regression' },
    ]);
    expect(binding.excluded).toEqual(['user_id']);
    const kinds = Object.fromEntries(binding.features.map((f) => [f.column, f.kind]));
    expect(kinds.hour).toBe('numeric');
    expect(kinds.purchase).toBe('categorical');
    // The project's binding of user_id... is gone, item_id keeps the project's kind.
    expect(kinds.item_id).toBe('categorical');
    expect('discount' in kinds).toBe(false);
    expect(onProjectChange).toHaveBeenCalledTimes(1);
    const next = onProjectChange.mock.calls[0][0] as ProjectFile;
    expect(next.data).toEqual(binding);

    // With the new project in, the step says so.
    await view!.rerender(<DataScreen project={next} onProjectChange={onProjectChange} />);
    expect(maybeTestId(c, 'binding-applied')).not.toBeNull();
  });

  it('lets a number column with a stray text be a regression target and names the value', async () => {
    const { host } = await importSample(emptyProject());
    const c = view!.container;
    // "amount" holds one "$29.99": the host reads it as text and says where the value is.
    const bad = fixturePreview();
    const amount = bad.columns.find((col) => col.name === 'amount')!;
    Object.assign(amount, {
      kind: 'binary',
      numeric: false,
      stats: undefined,
      notNumbers: { count: 1, line: 1235, value: '$29.99', readAsMissing: false },
    });
    bad.suggested = {
      ...bad.suggested,
      tasks: bad.suggested.tasks.map((t) =>
        t.column === 'amount' ? { ...t, type: 'binary' as const } : t,
      ),
    };
    await host.emit({ type: 'import:done', jobId: 'j-import', preview: bad });
    const type = byTestId<HTMLSelectElement>(c, 'task-type-amount');
    const regression = type.querySelector<HTMLOptionElement>('option[value="regression"]')!;
    expect(regression.disabled).toBe(false);
    await chooseOption(type, 'regression');
    const issues = text(byTestId(c, 'draft-issues'));
    expect(issues).toContain('"$29.99" on line 1,235 is not a number');
    expect(byTestId<HTMLButtonElement>(c, 'wizard-next').disabled).toBe(true);
    await click(byTestId(c, 'column-row-amount').querySelector('button')!);
    expect(text(byTestId(c, 'profile-not-numbers'))).toContain('"$29.99" on line 1,235');

    // The way out: fix the file, read it again; the choices made stay.
    await click(byTestId(c, 'wizard-reread'));
    expect(host.callsOf('data:import')).toEqual([['/ws/sample-6k.csv'], ['/ws/sample-6k.csv']]);
    await host.emit({ type: 'import:done', jobId: 'j-import', preview: fixturePreview() });
    expect(byTestId<HTMLSelectElement>(c, 'task-type-amount').value).toBe('regression');
    expect(byTestId<HTMLButtonElement>(c, 'wizard-next').disabled).toBe(false);
  });

  it('says which cells of a number column are not numbers and when decimal commas were read', async () => {
    const { host } = await importSample(emptyProject());
    const c = view!.container;
    const preview = fixturePreview();
    const price = preview.columns.find((col) => col.name === 'price')!;
    // A numeric column that stays numeric: three bad cells read as missing, decimal commas.
    Object.assign(price, {
      notNumbers: { count: 3, line: 12, value: '4e', readAsMissing: true },
      decimalComma: true,
    });
    const rating = preview.columns.find((col) => col.name === 'item_rating')!;
    Object.assign(rating, {
      notNumbers: { count: 1, line: 7, value: '-', readAsMissing: true },
    });
    await host.emit({ type: 'import:done', jobId: 'j-import', preview });
    expect(text(byTestId(c, 'column-invalid-price'))).toContain('3 not numbers');
    expect(byTestId(c, 'column-row-price').querySelector('td')!.getAttribute('title')).toContain(
      'read as missing',
    );
    await click(byTestId(c, 'column-row-price').querySelector('button')!);
    expect(text(byTestId(c, 'profile-invalid'))).toBe(
      '3 cells are not numbers (first: "4e" on line 12); they are read as missing',
    );
    expect(text(byTestId(c, 'profile-decimal-comma'))).toContain('decimal comma');
    // Still a number column: its histogram stays, no "not numbers" of a text column.
    expect(maybeTestId(c, 'profile-histogram')).not.toBeNull();
    expect(maybeTestId(c, 'profile-not-numbers')).toBeNull();
    await click(byTestId(c, 'column-row-item_rating').querySelector('button')!);
    expect(text(byTestId(c, 'profile-invalid'))).toBe(
      '1 cell is not a number ("-" on line 7); it is read as missing',
    );
    expect(maybeTestId(c, 'profile-decimal-comma')).toBeNull();
    // A clean column says nothing of the kind.
    await click(byTestId(c, 'column-row-user_age').querySelector('button')!);
    expect(maybeTestId(c, 'profile-invalid')).toBeNull();
    expect(maybeTestId(c, 'column-invalid-user_age')).toBeNull();
  });

  it('refuses a target with cells that are not numbers, naming the first and its line', async () => {
    const { host } = await importSample(emptyProject());
    const c = view!.container;
    const preview = fixturePreview();
    const amount = preview.columns.find((col) => col.name === 'amount')!;
    Object.assign(amount, {
      notNumbers: { count: 2, line: 1235, value: '$29.99', readAsMissing: true },
    });
    await host.emit({ type: 'import:done', jobId: 'j-import', preview });
    expect(byTestId<HTMLSelectElement>(c, 'task-type-amount').value).toBe('regression');
    const issues = text(byTestId(c, 'draft-issues'));
    expect(issues).toContain('"$29.99" on line 1,235 is not a number (and 1 more cell)');
    expect(issues).toContain('a target needs a number on every row');
    expect(byTestId<HTMLButtonElement>(c, 'wizard-next').disabled).toBe(true);
    // Fixed and read again: Next opens.
    await click(byTestId(c, 'wizard-reread'));
    await host.emit({ type: 'import:done', jobId: 'j-import', preview: fixturePreview() });
    expect(byTestId<HTMLButtonElement>(c, 'wizard-next').disabled).toBe(false);
  });

  it('offers the HTLNet template for an empty project', async () => {
    const template = fixtureProject();
    const onProjectChange = vi.fn();
    const { host } = await importSample(emptyProject(), onProjectChange);
    host.handlers['templates:create'] = () => template;
    await host.emit({ type: 'import:done', jobId: 'j-import', preview: fixturePreview() });
    await click(byTestId(view!.container, 'wizard-next'));
    await click(byTestId(view!.container, 'apply-with-template'));
    // The template is built for the bound targets (its heads named after them).
    expect(host.callsOf('templates:create')).toEqual([
      ['htlnet', expect.objectContaining({ source: '/ws/sample-6k.csv' })],
    ]);
    const [[base, binding]] = host.callsOf('project:rebind');
    expect(base.graph).toEqual(template.graph);
    expect(binding.source).toBe('/ws/sample-6k.csv');
    expect(onProjectChange).toHaveBeenCalledTimes(1);
  });

  it("shows the host's message for a bad file and keeps the previous preview", async () => {
    const { host } = await importSample(emptyProject());
    const c = view!.container;
    await host.emit({ type: 'import:done', jobId: 'j-import', preview: fixturePreview() });
    await click(byTestId(c, 'wizard-step-source'));
    host.handlers['data:import'] = () => ({ jobId: 'j-bad' });
    await click(
      c.querySelector('[data-testid="import-picker-files-use"][data-name="sample-6k.csv"]')!,
    );
    const message = 'bad.csv, line 3, column "price": "abc" is not a number.';
    await host.emit({ type: 'job:failed', jobId: 'j-bad', kind: 'import', error: message });
    expect(text(byTestId(c, 'import-error'))).toContain(message);
    // Nothing lost: the last good file is still there to continue with.
    expect(text(byTestId(c, 'continue-preview'))).toContain('sample-6k.csv');
    expect(journey().getState().draft?.targets).toEqual(['click', 'purchase', 'amount']);
  });

  it('cancels an import', async () => {
    const { host } = await importSample(emptyProject());
    host.handlers['job:cancel'] = () => null;
    const c = view!.container;
    await click(byTestId(c, 'import-cancel'));
    expect(host.callsOf('job:cancel')).toEqual([['j-import']]);
    expect(maybeTestId(c, 'import-progress')).toBeNull();
    expect(text(c)).toContain('Import cancelled.');
    // A late preview of the cancelled job is ignored.
    await host.emit({ type: 'import:done', jobId: 'j-import', preview: fixturePreview() });
    expect(journey().getState().preview).toBeNull();
  });

  it('uploads a picked file in browser mode, then imports it', async () => {
    const host = fakeHost({
      'files:list': () => listing,
      'data:import': () => ({ jobId: 'j-up' }),
    });
    view = await render(<DataScreen project={emptyProject()} onProjectChange={vi.fn()} />);
    const input = byTestId<HTMLInputElement>(view.container, 'import-picker-input');
    const file = new File(['a,b\n1,2\n'], 'mine.csv', { type: 'text/csv' });
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    await typeInto(input, '');
    await act(async () => {
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await click(view.container); // let the upload settle
    expect(host.calls.find((c) => c.channel === 'upload')?.args[1]).toBe('mine.csv');
    expect(host.callsOf('data:import')).toEqual([['/ws/uploads/mine.csv']]);
  });

  it('shows the upload going (bytes of total, percent), then imports the file', async () => {
    const host = fakeHost({
      'files:list': () => listing,
      'data:import': () => ({ jobId: 'j-up' }),
    });
    // An upload the test drives: progress reported, finished when the test says.
    let report: (sent: number, total: number) => void = () => undefined;
    let finish: (path: string) => void = () => undefined;
    Object.assign(host.api, {
      upload: (_file: Blob, name: string, onProgress?: (sent: number, total: number) => void) => {
        host.calls.push({ channel: 'upload', args: [_file, name] });
        report = (sent, total) => onProgress?.(sent, total);
        return new Promise<string>((resolve) => (finish = resolve));
      },
    });
    view = await render(<DataScreen project={emptyProject()} onProjectChange={vi.fn()} />);
    const c = view.container;
    const input = byTestId<HTMLInputElement>(c, 'import-picker-input');
    const file = new File(['a,b\n1,2\n'], 'big.csv', { type: 'text/csv' });
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    await act(async () => {
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await act(async () => report(1_048_576, 4_194_304));
    const progress = byTestId(c, 'import-progress');
    expect(text(progress)).toContain('Uploading big.csv');
    expect(text(progress)).toContain('1.0 MB of 4.0 MB · 25%');
    expect(progress.querySelector('[role="progressbar"]')!.getAttribute('aria-valuenow')).toBe(
      '25',
    );
    await act(async () => report(4_194_304, 4_194_304));
    expect(text(byTestId(c, 'import-progress'))).toContain('100%');
    await act(async () => finish('/ws/uploads/big.csv'));
    await click(c);
    expect(host.callsOf('data:import')).toEqual([['/ws/uploads/big.csv']]);
    expect(text(byTestId(c, 'import-progress'))).toContain('Reading big.csv');
  });

  it('says clearly when an upload is refused as too large', async () => {
    const host = fakeHost({ 'files:list': () => listing });
    Object.assign(host.api, {
      upload: () =>
        Promise.reject(
          new HostError(
            'huge.csv is 300 MB, more than the 256 MB an upload may have.',
            'upload-too-large',
          ),
        ),
    });
    view = await render(<DataScreen project={emptyProject()} onProjectChange={vi.fn()} />);
    const c = view.container;
    const input = byTestId<HTMLInputElement>(c, 'import-picker-input');
    const file = new File(['a,b\n1,2\n'], 'huge.csv', { type: 'text/csv' });
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    await act(async () => {
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await click(c);
    const error = text(byTestId(c, 'import-error'));
    expect(error).toContain('The file is too large to upload.');
    expect(error).toContain('huge.csv is 300 MB, more than the 256 MB an upload may have.');
    expect(maybeTestId(c, 'import-progress')).toBeNull();
    expect(host.callsOf('data:import')).toEqual([]);
  });

  it('trains the HTLNet template on the sample in one click', async () => {
    const template = fixtureProject();
    const host = fakeHost({
      'files:list': () => listing,
      'data:sample': (rows) => `/ws/samples/funnel-sample-${rows}.csv`,
      'data:import': () => ({ jobId: 'j-sample' }),
      'templates:create': () => template,
      'data:check': () => [],
      'train:start': () => ({ jobId: 'j-train', runId: 'r1' }),
    });
    const onProjectChange = vi.fn();
    const onNavigate = vi.fn();
    view = await render(
      <DataScreen
        project={emptyProject()}
        onProjectChange={onProjectChange}
        onNavigate={onNavigate}
      />,
    );
    const c = view.container;
    await click(byTestId(c, 'try-sample'));
    expect(host.callsOf('data:sample')).toEqual([[100_000]]);
    expect(host.callsOf('data:import')).toEqual([['/ws/samples/funnel-sample-100000.csv']]);
    expect(text(byTestId(c, 'sample-step'))).toBe('Reading the sample…');
    await host.emit({
      type: 'import:done',
      jobId: 'j-sample',
      preview: { ...fixturePreview(), path: '/ws/samples/funnel-sample-100000.csv' },
    });
    expect(host.callsOf('templates:create')).toEqual([['htlnet']]);
    const project = onProjectChange.mock.calls[0][0] as ProjectFile;
    expect(project.data.source).toBe('/ws/samples/funnel-sample-100000.csv');
    expect(project.graph.blocks.find((b) => b.type === 'optimizer')!.params.epochs).toBe(3);
    expect(onNavigate).toHaveBeenCalledWith('train');
    const [[request]] = host.callsOf('train:start');
    expect(request.project).toEqual(project);
    expect(request.dataPath).toBe('/ws/samples/funnel-sample-100000.csv');
    expect(journey().getState().training?.jobId).toBe('j-train');
    expect(maybeTestId(c, 'sample-step')).toBeNull();
  });

  it('asks before the sample replaces a model on the canvas', async () => {
    const host = fakeHost({ 'files:list': () => listing });
    view = await render(<DataScreen project={fixtureProject()} onProjectChange={vi.fn()} />);
    const c = view.container;
    await click(byTestId(c, 'try-sample'));
    expect(host.callsOf('data:sample')).toEqual([]);
    expect(maybeTestId(c, 'sample-confirm')).not.toBeNull();
  });

  it('uploads a file dropped on the panel (browser mode)', async () => {
    const host = fakeHost({
      'files:list': () => listing,
      'data:import': () => ({ jobId: 'j-drop' }),
    });
    view = await render(<DataScreen project={emptyProject()} onProjectChange={vi.fn()} />);
    const zone = byTestId(view.container, 'import-drop');
    const file = new File(['a,b\n1,2\n'], 'dropped.csv', { type: 'text/csv' });
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(drop, 'dataTransfer', {
      value: { files: [file], types: ['Files'], dropEffect: 'none' },
    });
    await act(async () => {
      zone.dispatchEvent(drop);
    });
    await click(view.container);
    expect(drop.defaultPrevented).toBe(true);
    expect(host.callsOf('data:import')).toEqual([['/ws/uploads/dropped.csv']]);
  });
});
