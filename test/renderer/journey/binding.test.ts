// The wizard's draft: from a preview (or the project's binding) to a DataBinding, through the
// edits a user makes (kinds, targets, chain order, exclusions), and what it warns about.

import { describe, expect, it } from 'vitest';
import {
  draftCore,
  draftFromPreview,
  draftIssues,
  draftToBinding,
  moveTarget,
  renameTaskLabels,
  sameBinding,
  setKind,
  setTaskType,
  toggleExcluded,
  toggleTarget,
} from '../../../src-renderer/store/journey/binding';
import { fixturePreview, fixtureProject } from './helpers';

describe('the binding draft', () => {
  it("starts from the host's suggestion: the funnel columns at the end are the targets", () => {
    const preview = fixturePreview();
    const draft = draftFromPreview(preview);
    expect(draft.source).toBe(preview.path);
    expect(draft.targets).toEqual(['click', 'purchase', 'amount']);
    const binding = draftToBinding(draft);
    expect(binding.tasks).toEqual([
      { name: 'click', column: 'click', type: 'binary' },
      { name: 'purchase', column: 'purchase', type: 'binary' },
      { name: 'amount', column: 'amount', type: 'regression' },
    ]);
    expect(binding.features).toHaveLength(20);
    expect(binding.excluded).toEqual([]);
    expect(sameBinding(binding, preview.suggested)).toBe(true);
  });

  it("starts from the project's own binding when the file has all its columns", () => {
    const preview = fixturePreview();
    const project = fixtureProject();
    const own = {
      ...project.data,
      features: project.data.features.filter((f) => f.column !== 'brand'),
      excluded: ['brand'],
    };
    const draft = draftFromPreview(preview, own);
    const binding = draftToBinding(draft);
    // user_id is continuous by inference but the project embeds it as a category: kept.
    expect(binding.features.find((f) => f.column === 'user_id')?.kind).toBe('categorical');
    expect(binding.excluded).toEqual(['brand']);
    expect(binding.tasks.map((t) => t.name)).toEqual(['click', 'purchase', 'amount']);
  });

  it('ignores a binding naming columns the file does not have', () => {
    const preview = fixturePreview();
    const draft = draftFromPreview(preview, {
      features: [{ column: 'nope', kind: 'numeric' }],
      tasks: [{ name: 'x', column: 'x', type: 'binary' }],
      excluded: [],
    });
    expect(draft.targets).toEqual(['click', 'purchase', 'amount']);
  });

  it('turns kinds, targets, order and exclusions into the binding', () => {
    let draft = draftFromPreview(fixturePreview());
    draft = setKind(draft, 'hour', 'numeric');
    draft = setKind(draft, 'user_id', 'categorical');
    draft = toggleExcluded(draft, 'item_id');
    draft = toggleTarget(draft, 'purchase'); // purchase becomes a feature again
    draft = moveTarget(draft, 'amount', -1); // amount before click
    draft = moveTarget(draft, 'amount', -1); // already first: unchanged
    draft = toggleTarget(draft, 'discount'); // a new target goes last
    draft = setTaskType(draft, 'discount', 'regression');
    const binding = draftToBinding(draft);
    expect(binding.tasks).toEqual([
      { name: 'amount', column: 'amount', type: 'regression' },
      { name: 'click', column: 'click', type: 'binary' },
      { name: 'discount', column: 'discount', type: 'regression' },
    ]);
    expect(binding.excluded).toEqual(['item_id']);
    const kinds = Object.fromEntries(binding.features.map((f) => [f.column, f.kind]));
    expect(kinds.hour).toBe('numeric');
    expect(kinds.user_id).toBe('categorical');
    expect(kinds.purchase).toBe('categorical');
    expect(kinds.item_id).toBeUndefined();
    expect(kinds.discount).toBeUndefined();
    // Features stay in file order.
    const order = fixturePreview().columns.map((c) => c.name);
    const idx = binding.features.map((f) => order.indexOf(f.column));
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
    // Excluding a target takes it out of the chain; un-excluding makes it a feature.
    draft = toggleExcluded(draft, 'click');
    expect(draftToBinding(draft).tasks.map((t) => t.name)).toEqual(['amount', 'discount']);
    draft = toggleExcluded(draft, 'click');
    expect(draftToBinding(draft).features.some((f) => f.column === 'click')).toBe(true);
  });

  it('says what blocks training and what deserves a look', () => {
    const preview = fixturePreview();
    let draft = draftFromPreview(preview);
    expect(draftIssues(draft, preview).filter((i) => i.severity === 'error')).toEqual([]);
    expect(draftCore(draft)).toBe(2);

    draft = setTaskType(draft, 'amount', 'binary');
    draft = setKind(draft, 'region', 'numeric');
    const issues = draftIssues(draft, preview);
    const errors = issues.filter((i) => i.severity === 'error').map((i) => i.column);
    expect(errors).toEqual(expect.arrayContaining(['amount', 'region']));
    expect(issues.some((i) => /No regression target/.test(i.message))).toBe(true);

    let none = draftFromPreview(preview);
    for (const t of ['click', 'purchase', 'amount']) none = toggleTarget(none, t);
    expect(draftIssues(none, preview)[0]).toMatchObject({
      severity: 'error',
      message: expect.stringMatching(/at least one target/),
    });

    // A core task that is not last in the chain is worth a warning.
    const moved = moveTarget(draftFromPreview(preview), 'amount', -1);
    expect(draftCore(moved)).toBe(1);
    expect(draftIssues(moved, preview).some((i) => /not last in the chain/.test(i.message))).toBe(
      true,
    );
  });
});

describe('block labels after a rebind', () => {
  it('name heads, towers and label embeddings after the newly bound tasks', () => {
    const before = fixtureProject();
    const tasks = [
      { name: 'visit', column: 'visit', type: 'binary' as const },
      { name: 'conversion', column: 'conversion', type: 'binary' as const },
      { name: 'spend', column: 'spend', type: 'regression' as const },
    ];
    const rebound = { ...before, data: { ...before.data, tasks } };
    const labels = (p: typeof before) =>
      Object.fromEntries(p.graph.blocks.map((b) => [b.id, b.label]));
    const after = labels(renameTaskLabels(before, rebound));
    expect(after['head-click']).toBe('Visit head');
    expect(after['tower-purchase']).toBe('Conversion tower');
    expect(after['leu-click']).toBe('Visit label embedding');
    expect(after['fusion-amount']).toBe('Spend fusion');
    expect(after.embedding).toBe('Shared embedding');
    // Names that shift along the chain do not chain: click -> purchase, purchase -> amount.
    const shifted = {
      ...before,
      data: {
        ...before.data,
        tasks: [
          { name: 'purchase', column: 'purchase', type: 'binary' as const },
          { name: 'amount', column: 'amount', type: 'binary' as const },
          { name: 'revenue', column: 'revenue', type: 'regression' as const },
        ],
      },
    };
    const s = labels(renameTaskLabels(before, shifted));
    expect([s['head-click'], s['head-purchase'], s['head-amount']]).toEqual([
      'Purchase head',
      'Amount head',
      'Revenue head',
    ]);
    // Same tasks: the same project.
    expect(renameTaskLabels(before, before)).toBe(before);
  });
});
