// The template gallery (File › New): an empty canvas, HTLNet and the baselines, each with a
// small picture of its graph. Choosing one starts a new project (loading the template is the
// first undoable step of it).

import { useEffect, useState } from 'react';
import type { DataBinding, ProjectFile } from '../../../src-main/shared/project';
import { useAppStore } from '../../store/context';
import { Icon } from '../../ui/Icon';
import { Modal } from '../../ui/Modal';

/** Template previews, fetched once per API connection. */
const previews = new WeakMap<object, Map<string, Promise<ProjectFile | null>>>();

function usePreview(kind: string): ProjectFile | null {
  const api = useAppStore((s) => s.api);
  const [project, setProject] = useState<ProjectFile | null>(null);
  useEffect(() => {
    let live = true;
    let cache = previews.get(api);
    if (!cache) previews.set(api, (cache = new Map()));
    let promise = cache.get(kind);
    if (!promise) {
      promise = api.templatesCreate(kind).catch(() => null);
      cache.set(kind, promise);
    }
    void promise.then((p) => live && setProject(p));
    return () => {
      live = false;
    };
  }, [api, kind]);
  return project;
}

const GROUP_OF: Record<string, string> = {
  'feature-input': 'inputs',
  'shared-embedding': 'representation',
  tower: 'representation',
  'expert-group': 'multi-task',
  gate: 'multi-task',
  'label-embedding': 'multi-task',
  fusion: 'multi-task',
  'esmm-link': 'multi-task',
  'task-head': 'tasks',
  optimizer: 'training',
};

/** A small drawing of a template's graph (blocks as boxes, connections as lines). */
function Preview({ project }: { project: ProjectFile | null }) {
  if (!project) return <div className="template-preview is-loading" aria-hidden="true" />;
  const blocks = project.graph.blocks.filter((b) => b.type !== 'optimizer');
  if (blocks.length === 0) return <div className="template-preview" aria-hidden="true" />;
  const xs = blocks.map((b) => b.position.x);
  const ys = blocks.map((b) => b.position.y);
  const [minX, minY] = [Math.min(...xs), Math.min(...ys)];
  const w = Math.max(...xs) - minX + 180;
  const h = Math.max(...ys) - minY + 90;
  const at = new Map(blocks.map((b) => [b.id, { x: b.position.x - minX, y: b.position.y - minY }]));
  return (
    <svg className="template-preview" viewBox={`-20 -20 ${w + 40} ${h + 40}`} aria-hidden="true">
      {project.graph.edges.map((e) => {
        const s = at.get(e.source.block);
        const t = at.get(e.target.block);
        if (!s || !t) return null;
        const [x1, y1, x2, y2] = [s.x + 160, s.y + 36, t.x, t.y + 36];
        const mx = (x1 + x2) / 2;
        return (
          <path
            key={e.id}
            d={`M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`}
            className="preview-edge"
          />
        );
      })}
      {blocks.map((b) => {
        const p = at.get(b.id)!;
        return (
          <rect
            key={b.id}
            x={p.x}
            y={p.y}
            width={160}
            height={72}
            rx={12}
            className={`preview-block group-${GROUP_OF[b.type] ?? 'inputs'}`}
          />
        );
      })}
    </svg>
  );
}

function TemplateCard({
  kind,
  title,
  description,
  data,
}: {
  kind: string;
  title: string;
  description: string;
  /** The data the new project is bound to (null: the sample's columns, no file). */
  data: DataBinding | null;
}) {
  const newProject = useAppStore((s) => s.newProject);
  const close = useAppStore((s) => s.closeDialog);
  const preview = usePreview(kind);
  return (
    <li>
      <button
        type="button"
        className="template-card"
        data-testid={`template-${kind}`}
        title={description}
        onClick={() => {
          close();
          void newProject(kind, data);
        }}
      >
        <Preview project={preview} />
        <span className="template-title">{title}</span>
        <span className="template-description">{description}</span>
      </button>
    </li>
  );
}

/** The data of a project that has a file and targets (what a new project may keep). */
function ownData(project: ProjectFile): DataBinding | null {
  return project.data.source && project.data.tasks.length > 0 ? project.data : null;
}

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function TemplateGallery() {
  const templates = useAppStore((s) => s.templates);
  const newProject = useAppStore((s) => s.newProject);
  const close = useAppStore((s) => s.closeDialog);
  const current = useAppStore((s) => s.project);
  const [own] = useState(() => ownData(current));
  const [keep, setKeep] = useState(own !== null);
  const data = keep ? own : null;
  return (
    <Modal title="New project" testId="template-gallery" onCancel={close} wide>
      <p className="muted">
        Start from an empty canvas, from HTLNet, or from one of the baselines it is compared with.
      </p>
      <fieldset className="data-choice" data-testid="new-project-data">
        <legend>Data for the new project</legend>
        {own && (
          <label>
            <input
              type="radio"
              name="new-project-data"
              checked={keep}
              onChange={() => setKeep(true)}
              data-testid="new-project-data-own"
            />
            <span>
              Keep this project&apos;s data: <strong>{fileName(own.source!)}</strong> (
              {own.tasks.map((t) => t.name).join(' → ')}): the new model is built for its targets
            </span>
          </label>
        )}
        <label>
          <input
            type="radio"
            name="new-project-data"
            checked={!keep}
            onChange={() => setKeep(false)}
            data-testid="new-project-data-sample"
          />
          <span>
            No file yet: the built-in sample&apos;s columns (click → purchase → amount); choose a
            CSV in the Data tab later
          </span>
        </label>
      </fieldset>
      <ul className="template-grid">
        <li>
          <button
            type="button"
            className="template-card is-empty"
            data-testid="template-empty"
            title="An empty canvas: drag blocks from the palette"
            onClick={() => {
              close();
              void newProject(null, data);
            }}
          >
            <div className="template-preview empty-preview" aria-hidden="true">
              <Icon name="new" size={28} />
            </div>
            <span className="template-title">Empty canvas</span>
            <span className="template-description">Build a model block by block.</span>
          </button>
        </li>
        {templates.map((t) => (
          <TemplateCard key={t.kind} {...t} data={data} />
        ))}
      </ul>
    </Modal>
  );
}
