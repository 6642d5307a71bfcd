// The import wizard's working copy of a data binding: one role per column (feature, target or
// excluded), a kind for features, a type for targets, and the targets' chain order. Pure: every
// edit returns a new draft; draftToBinding() turns it into the project's DataBinding.

import type { ColumnSummary, DataPreview } from '../../../src-main/ipc/api';
import {
  coreTaskIndex,
  type DataBinding,
  type FeatureKind,
  type ProjectFile,
  type TaskType,
} from '../../../src-main/shared/project';

type ColumnRole = 'feature' | 'target' | 'excluded';

export interface ColumnDraft {
  name: string;
  role: ColumnRole;
  /** How the column is embedded when it is a feature. */
  kind: FeatureKind;
  /** What the column is predicted as when it is a target. */
  taskType: TaskType;
}

export interface BindingDraft {
  /** The CSV the binding is made for (the preview's path). */
  source: string;
  /** In file order. */
  columns: ColumnDraft[];
  /** Target column names in chain (funnel) order: the first is predicted first. */
  targets: string[];
}

/** The kind a feature column gets unless the user says otherwise (as the host suggests it). */
function defaultKind(column: ColumnSummary): FeatureKind {
  return column.kind === 'continuous' ? 'numeric' : 'categorical';
}

function defaultTaskType(column: ColumnSummary): TaskType {
  // Numbers with a few stray texts ("$29.99" among amounts) are an amount: regression.
  if (column.notNumbers && !column.notNumbers.readAsMissing) return 'regression';
  return column.kind === 'binary' || !column.numeric ? 'binary' : 'regression';
}

/** Whether a column can be a regression target: numbers, or numbers with a few stray texts. */
export function canBeRegression(column: ColumnSummary | undefined): boolean {
  return !!column && (column.numeric || column.notNumbers !== undefined);
}

/**
 * The values of a column of numbers that are not numbers, in words. Read as text: ""$29.99" on
 * line 1,234 is not a number (and 2 more values)". Read as missing ("4e", "-", "Inf" in a
 * numeric column): how many, the first one and its line, and what became of them.
 */
export function notNumbersText(column: ColumnSummary): string | null {
  const bad = column.notNumbers;
  if (!bad) return null;
  const line = bad.line.toLocaleString('en-US');
  if (bad.readAsMissing) {
    return bad.count === 1
      ? `1 cell is not a number ("${bad.value}" on line ${line}); it is read as missing`
      : `${bad.count.toLocaleString('en-US')} cells are not numbers (first: "${bad.value}" on line ${line}); they are read as missing`;
  }
  const more = bad.count - 1;
  return `"${bad.value}" on line ${line} is not a number${
    more > 0 ? ` (and ${more.toLocaleString('en-US')} more value${more === 1 ? '' : 's'})` : ''
  }`;
}

/** Numbers written with a decimal comma (33,12) that the host read as numbers. */
export function decimalCommaText(column: ColumnSummary): string | null {
  return column.decimalComma ? 'Numbers with a decimal comma (33,12) were read as 33.12' : null;
}

/** Whether a binding names only columns of the file and has at least one task. */
function bindingFits(binding: DataBinding, preview: DataPreview): boolean {
  const names = new Set(preview.columns.map((c) => c.name));
  const used = [...binding.features.map((f) => f.column), ...binding.tasks.map((t) => t.column)];
  return binding.tasks.length > 0 && used.every((c) => names.has(c));
}

/**
 * The draft a preview starts from: the project's own binding when it fits the file (so
 * re-importing a file keeps the user's choices), else the host's suggestion. Columns the
 * binding does not mention are features of their default kind.
 */
export function draftFromPreview(preview: DataPreview, current?: DataBinding | null): BindingDraft {
  const binding = current && bindingFits(current, preview) ? current : preview.suggested;
  const features = new Map(binding.features.map((f) => [f.column, f.kind]));
  const tasks = new Map(binding.tasks.map((t) => [t.column, t.type]));
  const excluded = new Set(binding.excluded);
  const columns = preview.columns.map((c): ColumnDraft => {
    const role: ColumnRole = tasks.has(c.name)
      ? 'target'
      : excluded.has(c.name)
        ? 'excluded'
        : 'feature';
    return {
      name: c.name,
      role,
      kind: features.get(c.name) ?? defaultKind(c),
      taskType: tasks.get(c.name) ?? defaultTaskType(c),
    };
  });
  const present = new Set(preview.columns.map((c) => c.name));
  return {
    source: preview.path,
    columns,
    targets: binding.tasks.map((t) => t.column).filter((c) => present.has(c)),
  };
}

function update(draft: BindingDraft, name: string, patch: Partial<ColumnDraft>): BindingDraft {
  return {
    ...draft,
    columns: draft.columns.map((c) => (c.name === name ? { ...c, ...patch } : c)),
  };
}

/** Gives a column a role; a new target goes to the end of the chain. */
function setRole(draft: BindingDraft, name: string, role: ColumnRole): BindingDraft {
  const column = draft.columns.find((c) => c.name === name);
  if (!column || column.role === role) return draft;
  const next = update(draft, name, { role });
  const targets = draft.targets.filter((t) => t !== name);
  if (role === 'target') targets.push(name);
  return { ...next, targets };
}

/** Target on/off: off makes the column a feature again. */
export function toggleTarget(draft: BindingDraft, name: string): BindingDraft {
  const column = draft.columns.find((c) => c.name === name);
  if (!column) return draft;
  return setRole(draft, name, column.role === 'target' ? 'feature' : 'target');
}

/** Excluded on/off: off makes the column a feature again. */
export function toggleExcluded(draft: BindingDraft, name: string): BindingDraft {
  const column = draft.columns.find((c) => c.name === name);
  if (!column) return draft;
  return setRole(draft, name, column.role === 'excluded' ? 'feature' : 'excluded');
}

export function setKind(draft: BindingDraft, name: string, kind: FeatureKind): BindingDraft {
  return update(draft, name, { kind });
}

export function setTaskType(draft: BindingDraft, name: string, taskType: TaskType): BindingDraft {
  return update(draft, name, { taskType });
}

/** Moves a target one place earlier (-1) or later (+1) in the chain. */
export function moveTarget(draft: BindingDraft, name: string, delta: -1 | 1): BindingDraft {
  const i = draft.targets.indexOf(name);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= draft.targets.length) return draft;
  const targets = draft.targets.slice();
  [targets[i], targets[j]] = [targets[j], targets[i]];
  return { ...draft, targets };
}

export function draftToBinding(draft: BindingDraft): DataBinding {
  const byName = new Map(draft.columns.map((c) => [c.name, c]));
  return {
    source: draft.source,
    features: draft.columns
      .filter((c) => c.role === 'feature')
      .map((c) => ({ column: c.name, kind: c.kind })),
    tasks: draft.targets.map((name) => ({
      name,
      column: name,
      type: byName.get(name)?.taskType ?? 'binary',
    })),
    excluded: draft.columns.filter((c) => c.role === 'excluded').map((c) => c.name),
  };
}

export interface DraftIssue {
  severity: 'error' | 'warning';
  message: string;
  /** The column concerned, when there is one. */
  column?: string;
  /** A way out the wizard offers: read the (fixed) file again. */
  fix?: 'reread';
}

/** What stops the draft from training, or deserves a look, in the user's words. */
export function draftIssues(draft: BindingDraft, preview: DataPreview): DraftIssue[] {
  const summaries = new Map(preview.columns.map((c) => [c.name, c]));
  const issues: DraftIssue[] = [];
  if (draft.targets.length === 0) {
    issues.push({
      severity: 'error',
      message: 'Choose at least one target: the column(s) the model learns to predict.',
    });
  }
  if (!draft.columns.some((c) => c.role === 'feature')) {
    issues.push({
      severity: 'error',
      message: 'Keep at least one feature: the columns the model predicts from.',
    });
  }
  for (const c of draft.columns) {
    const s = summaries.get(c.name);
    if (!s) continue;
    if (c.role === 'feature' && c.kind === 'numeric' && !s.numeric) {
      issues.push({
        severity: 'error',
        column: c.name,
        message: `"${c.name}" holds text, so it cannot be numeric; make it categorical.`,
      });
    }
    if (c.role === 'target' && c.taskType === 'binary' && s.kind !== 'binary') {
      issues.push({
        severity: 'error',
        column: c.name,
        message: canBeRegression(s)
          ? `"${c.name}" is not a 0/1 column (${s.distinct} distinct values), so it cannot be a binary target; set its type to regression in the target chain, or pick another column.`
          : `"${c.name}" is not a 0/1 column (${s.distinct} distinct values) and holds text, so it cannot be a target; pick another column.`,
      });
    }
    if (c.role === 'target' && c.taskType === 'regression' && !s.numeric) {
      issues.push({
        severity: 'error',
        column: c.name,
        fix: s.notNumbers ? 'reread' : undefined,
        message: s.notNumbers
          ? `In "${c.name}", ${notNumbersText(s)}: a regression target needs a number on every row. Fix the value in ${preview.name} (e.g. 29.99 for $29.99), then read the file again.`
          : `"${c.name}" holds text, so it cannot be a regression target.`,
      });
    }
    const missing = s.notNumbers;
    if (c.role === 'target' && missing?.readAsMissing) {
      // Cells read as missing in a numeric target: training needs a value on every row.
      const more = missing.count - 1;
      issues.push({
        severity: 'error',
        column: c.name,
        fix: 'reread',
        message: `In "${c.name}", "${missing.value}" on line ${missing.line.toLocaleString('en-US')} is not a number${
          more > 0 ? ` (and ${more.toLocaleString('en-US')} more cell${more === 1 ? '' : 's'})` : ''
        }: a target needs a number on every row. Fix it in ${preview.name} (e.g. 29.99 for $29.99), then read the file again.`,
      });
    }
    if (c.role === 'target' && s.missing > 0) {
      issues.push({
        severity: 'warning',
        column: c.name,
        message: `Target "${c.name}" is missing in ${s.missing.toLocaleString('en-US')} rows.`,
      });
    }
    if (c.role === 'feature' && s.distinct <= 1) {
      issues.push({
        severity: 'warning',
        column: c.name,
        message: `"${c.name}" has a single value, so it tells the model nothing; consider excluding it.`,
      });
    }
  }
  const types = draft.targets.map(
    (t) => draft.columns.find((c) => c.name === t)?.taskType ?? 'binary',
  );
  if (draft.targets.length > 0 && !types.includes('regression')) {
    issues.push({
      severity: 'warning',
      message:
        'No regression target: HTLNet is built for a funnel ending in a continuous core target (an amount); the last task becomes the core.',
    });
  }
  const core = coreTaskIndex(
    types.map((type, i) => ({ name: '', column: draft.targets[i], type })),
  );
  if (core >= 0 && core < draft.targets.length - 1) {
    issues.push({
      severity: 'warning',
      message: `The core task "${draft.targets[core]}" is not last in the chain; tasks after it are predicted from it.`,
    });
  }
  return issues;
}

/** The index in the chain of the core task (the last regression target), or -1. */
export function draftCore(draft: BindingDraft): number {
  if (draft.targets.length === 0) return -1;
  const types = draft.targets.map((t) => ({
    name: t,
    column: t,
    type: draft.columns.find((c) => c.name === t)?.taskType ?? 'binary',
  }));
  return coreTaskIndex(types);
}

/** Whether two bindings say the same (features, kinds, tasks in order, exclusions). */
export function sameBinding(a: DataBinding, b: DataBinding): boolean {
  const key = (x: DataBinding) =>
    JSON.stringify([
      x.features.map((f) => [f.column, f.kind]),
      x.tasks.map((t) => [t.name, t.column, t.type]),
      [...x.excluded].sort(),
    ]);
  return key(a) === key(b);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function words(name: string): string {
  const w = name.replace(/[_\s]+/g, ' ').trim();
  return w === '' ? name : w[0].toUpperCase() + w.slice(1);
}

/**
 * Block labels after a rebind that renamed the tasks (click, purchase, amount → visit,
 * conversion, spend): "Click head" becomes "Visit head", "Purchase tower" "Conversion tower".
 * Tasks are matched by chain position, as the host renames the heads; labels the user wrote
 * without a task's name are left alone. Returns the same project when nothing changes.
 */
export function renameTaskLabels(before: ProjectFile, after: ProjectFile): ProjectFile {
  const from = before.data.tasks.map((t) => t.name);
  const to = after.data.tasks.map((t) => t.name);
  if (from.length !== to.length) return after;
  const map = new Map<string, string>();
  from.forEach((name, i) => {
    if (name === to[i]) return;
    map.set(words(name), words(to[i]));
    map.set(name, to[i]);
    map.set(words(name).toLowerCase(), words(to[i]).toLowerCase());
  });
  if (map.size === 0) return after;
  // One pass, longest names first, so click → purchase and purchase → amount do not chain.
  const pattern = new RegExp(
    `(?<![\\p{L}\\p{N}_])(${[...map.keys()]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|')})(?![\\p{L}\\p{N}_])`,
    'gu',
  );
  let changed = false;
  const blocks = after.graph.blocks.map((b) => {
    if (!b.label) return b;
    const label = b.label.replace(pattern, (m) => map.get(m) ?? m);
    if (label === b.label) return b;
    changed = true;
    return { ...b, label };
  });
  return changed ? { ...after, graph: { ...after.graph, blocks } } : after;
}

/**
 * Why a column of numbers is a categorical feature, in a few words (shown beside its kind), or
 * null when there is nothing to explain.
 */
export function kindReason(column: ColumnSummary, kind: FeatureKind): string | null {
  if (kind !== 'categorical' || !column.numeric) return null;
  if (column.kind === 'binary') return 'two values: a yes/no category';
  if (column.kind === 'numeric')
    return `few whole values (${column.distinct.toLocaleString('en-US')}): each is a category; make it numeric if it is a quantity`;
  if (column.kind === 'continuous')
    return 'named like an identifier: its numbers are labels, not amounts';
  return null;
}
