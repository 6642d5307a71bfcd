// `htlnet ablate` and `htlnet sweep`: the experiments of engine/experiments from a terminal.
// Every variant is trained once per seed, one run after another in this process (each run uses
// the cores as `htlnet train` does), on the same parsed CSV; the test metrics of the runs make
// the report (mean ± sd per variant, paired differences against the reference with intervals,
// and for the ablation one sentence per component). With --json the last line of stdout is
// {"variants", "reference", "comparisons", "summaries", "seeds", "runs"}: a public interface.
// cli.ts hands in its helpers (a CliKit), so this file does not import it back.

import { promises as fs } from 'node:fs';
import { defaultBinding } from '../engine/data/binding';
import type { Table } from '../engine/data/types';
import { CancelledError, UserError } from '../engine/errors';
import {
  ablationVariants,
  buildReport,
  gridVariants,
  HEADLINE_METRICS,
  METRICS,
  parseGrid,
  planRuns,
  seedList,
  sweepReference,
  FULL,
  type ExperimentReport,
  type RunResult,
  type Variant,
} from '../engine/experiments';
import { parseProject } from '../engine/graph/project-file';
import { buildTemplate } from '../engine/graph/templates';
import { trainProject } from '../engine/pipeline';
import { MAX_BATCH_SIZE } from '../shared/catalog';
import { MAX_SEEDS } from '../shared/experiments/paths';
import type { ProjectFile, TaskType } from '../shared/project';

type Flags = Record<string, string | boolean | undefined>;

/** What cli.ts lends the experiment commands: its flag readers, progress lines and JSON. */
export interface CliKit {
  required(flags: Flags, name: string): string;
  intFlag(flags: Flags, name: string, min: number, max: number): number | undefined;
  list(value: string | boolean | undefined): string[] | undefined;
  parseTasks(spec: string): { name: string; type: TaskType }[];
  loadTable(file: string, quiet: boolean): Promise<Table>;
  line(quiet: boolean, text: string): void;
  json(value: unknown): string;
}

async function readProject(file: string): Promise<ProjectFile> {
  const text = await fs.readFile(file, 'utf8').catch(() => {
    throw new UserError(`Cannot read the project file ${file}.`, { file });
  });
  return parseProject(text, file);
}

/** Epochs and batch size given on the command line apply to every variant. */
function withOverrides(project: ProjectFile, flags: Flags, kit: CliKit): ProjectFile {
  const epochs = kit.intFlag(flags, 'epochs', 1, 10_000);
  const batch = kit.intFlag(flags, 'batch', 1, MAX_BATCH_SIZE);
  const out = structuredClone(project);
  for (const b of out.graph.blocks) {
    if (b.type !== 'optimizer') continue;
    if (epochs !== undefined) b.params = { ...b.params, epochs };
    if (batch !== undefined) b.params = { ...b.params, batchSize: batch };
  }
  return out;
}

function seedsOf(flags: Flags, kit: CliKit): number[] {
  const count = kit.intFlag(flags, 'seeds', 1, MAX_SEEDS) ?? 3;
  const first = kit.intFlag(flags, 'seed', 0, 2_147_483_647 - MAX_SEEDS) ?? 1;
  return seedList(count, first);
}

export async function ablate(flags: Flags, kit: CliKit): Promise<number> {
  const quiet = Boolean(flags.json);
  const dataFile = kit.required(flags, 'data');
  let project = typeof flags.project === 'string' ? await readProject(flags.project) : null;
  if (!flags.tasks && !project)
    throw new UserError(
      'Missing --tasks (e.g. --tasks click:binary,purchase:binary,amount:regression).',
    );
  const seeds = seedsOf(flags, kit);
  if (project) ablationVariants(project); // a project with nothing to ablate stops before reading
  const table = await kit.loadTable(dataFile, quiet);
  if (typeof flags.tasks === 'string' || !project) {
    const binding = defaultBinding(table, kit.parseTasks(String(flags.tasks)), {
      features: kit.list(flags.features),
      exclude: kit.list(flags.exclude),
      categorical: kit.list(flags.categorical),
    });
    binding.source = dataFile;
    project = project ? { ...project, data: binding } : buildTemplate('htlnet', binding);
  }
  const variants = ablationVariants(withOverrides(project, flags, kit));
  const report = await runExperiment(variants, FULL, seeds, table, kit, quiet);
  printReport(report, seeds, kit, quiet);
  return 0;
}

export async function sweep(flags: Flags, kit: CliKit): Promise<number> {
  const quiet = Boolean(flags.json);
  const projectFile = kit.required(flags, 'project');
  const dataFile = kit.required(flags, 'data');
  const grid = parseGrid(kit.required(flags, 'grid'));
  const seeds = seedsOf(flags, kit);
  const project = withOverrides(await readProject(projectFile), flags, kit);
  const variants = gridVariants(project, grid); // a bad path or value stops here, before reading
  const reference = sweepReference(project, variants);
  const table = await kit.loadTable(dataFile, quiet);
  const report = await runExperiment(variants, reference, seeds, table, kit, quiet);
  printReport(report, seeds, kit, quiet);
  return 0;
}

/** Trains every variant with every seed, in order; Ctrl-C stops after the current run. */
async function runExperiment(
  variants: readonly (Variant & { component?: string | null })[],
  reference: string,
  seeds: readonly number[],
  table: Table,
  kit: CliKit,
  quiet: boolean,
): Promise<ExperimentReport> {
  const runs = planRuns(variants, seeds);
  kit.line(
    quiet,
    `${variants.length} variants x ${seeds.length} seeds = ${runs.length} runs (reference: ${reference})`,
  );
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const results: RunResult[] = [];
  try {
    for (const [i, planned] of runs.entries()) {
      const started = Date.now();
      const run = await trainProject({
        project: planned.project,
        table,
        signal: controller.signal,
      });
      if (controller.signal.aborted) {
        run.model.dispose();
        throw new CancelledError();
      }
      const usable = !(run.outcome.reason === 'diverged' && run.outcome.bestEpoch === 0);
      const metrics = usable ? numbersOnly(run.test.metrics) : null;
      run.model.dispose();
      results.push({ variant: planned.variant, seed: planned.seed, metrics });
      kit.line(
        quiet,
        `run ${i + 1}/${runs.length}: ${planned.variant}, seed ${planned.seed}: ${
          metrics ? headline(metrics) : run.outcome.message
        } (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  return buildReport({ variants, reference, results });
}

function numbersOnly(metrics: Record<string, object>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [task, m] of Object.entries(metrics)) {
    out[task] = {};
    for (const [k, v] of Object.entries(m)) if (typeof v === 'number') out[task][k] = v;
  }
  return out;
}

const fmt = (x: number, digits = 4) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

/** "click AUC 0.7123, amount NRMSE 0.9012 Gini 0.51" */
function headline(metrics: Record<string, Record<string, number>>): string {
  return Object.entries(metrics)
    .map(([task, m]) => {
      const shown = HEADLINE_METRICS.filter((k) => k in m).map(
        (k) => `${METRICS[k].label} ${fmt(m[k])}`,
      );
      return `${task} ${shown.join(' ')}`;
    })
    .join(', ');
}

function printReport(
  report: ExperimentReport,
  seeds: readonly number[],
  kit: CliKit,
  quiet: boolean,
): void {
  if (quiet) {
    process.stdout.write(
      kit.json({ ...report, seeds, runs: report.variants.length * seeds.length }) + '\n',
    );
    return;
  }
  let text = `\ntest split, mean ± sd over seeds ${seeds.join(', ')}:\n`;
  const width = Math.max(...report.variants.map((v) => v.name.length));
  for (const v of report.variants) {
    const parts = Object.entries(v.tasks).flatMap(([task, m]) =>
      HEADLINE_METRICS.filter((k) => k in m).map(
        (k) => `${task} ${METRICS[k].label} ${fmt(m[k].mean)} ± ${fmt(m[k].sd)}`,
      ),
    );
    text += `  ${v.name.padEnd(width)}  ${parts.join('  ')}${v.seeds < seeds.length ? `  (${v.seeds} of ${seeds.length} seeds ran)` : ''}\n`;
  }
  const shown = report.comparisons.filter((c) =>
    (HEADLINE_METRICS as readonly string[]).includes(c.metric),
  );
  if (shown.length > 0) {
    text += `\nagainst ${report.reference} (paired by seed, 95% interval):\n`;
    for (const c of shown) text += `  ${c.variant.padEnd(width)}  ${c.text}\n`;
  }
  if (report.summaries.length > 0) {
    text += '\nin words:\n';
    for (const s of report.summaries) text += `  ${s.text}\n`;
  }
  process.stdout.write(text);
}
