// The project's data source, where the model is built: the CSV the project is bound to (its
// file, features and targets in funnel order) or that it has none yet, with the way to the Data
// tab. Shown as a card on the canvas (the graph's input side) and in the project panel.

import type { ProjectFile } from '../../../src-main/shared/project';
import { useAppStore } from '../../store/context';
import { Icon } from '../../ui/Icon';

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** One line about a project's data: "visits.csv · 20 features · click → purchase → amount". */
function dataSummary(project: ProjectFile): { file: string | null; detail: string } {
  const { source, features, tasks } = project.data;
  const targets = tasks.map((t) => t.name).join(' → ');
  const detail =
    tasks.length === 0
      ? 'no targets yet'
      : `${features.length} feature${features.length === 1 ? '' : 's'} · ${targets}`;
  return { file: source ? fileName(source) : null, detail };
}

export function DataCard({ variant }: { variant: 'canvas' | 'panel' }) {
  const project = useAppStore((s) => s.project);
  const setTab = useAppStore((s) => s.setTab);
  const { file, detail } = dataSummary(project);
  const source = project.data.source;
  return (
    <section
      className={`data-card data-card-${variant}`}
      aria-label="The project's data"
      data-testid={variant === 'canvas' ? 'canvas-data' : 'project-data'}
      data-source={source ?? ''}
    >
      <div className="data-card-head">
        <Icon name="data" size={14} />
        <span className="data-card-kind">Data</span>
        <strong className="data-card-file" title={source ?? undefined}>
          {file ?? 'No file yet'}
        </strong>
      </div>
      <p className="data-card-detail">
        {file
          ? detail
          : project.data.tasks.length > 0
            ? `The built-in sample's columns (${detail.replace(/^\d+ features? · /, '')}): choose a CSV to train on.`
            : 'Choose a CSV and its targets to train on.'}
      </p>
      <button
        type="button"
        className="btn btn-secondary btn-sm"
        onClick={() => setTab('data')}
        title={
          file
            ? "Change the project's data file, its features or targets (Data tab)"
            : 'Choose the CSV this project trains on (Data tab)'
        }
        data-testid={variant === 'canvas' ? 'canvas-data-change' : 'project-data-change'}
      >
        {file ? 'Change data…' : 'Choose data…'}
      </button>
    </section>
  );
}
