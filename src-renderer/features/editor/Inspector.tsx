// The inspector: what is selected and its settings. For one block: its label, description,
// every parameter from the catalog's schema (numbers with bounds, switches, choices, text and
// layer lists) with messages as you type, its ports with their types and inferred shapes, and
// the engine's problems with it; and "Vary" beside each parameter a sweep can vary (and a unit's
// presence), which adds it to the sweep the Train tab starts (./VaryParam.tsx). For a connection: its ends, type and shape. For nothing: the
// project and its data binding.

import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import type { CatalogBlock } from '../../../src-main/ipc/api';
import { formatShape, type BlockShapes, type Problem } from '../../../src-main/shared/problems';
import type { Block, ParamValue } from '../../../src-main/shared/project';
import { useAppStore } from '../../store/context';
import { Icon } from '../../ui/Icon';
import { blockTitle, inputOf, outputOf, portTypeFor, TYPE_WORDS } from '../../store/catalog';
import { paramApplies, parseParamInput, showParam, type ParamSchema } from '../../store/params';
import { documentName } from '../../store/project-slice';
import { VaryParam, VaryPresence } from './VaryParam';
import { groupClass } from './ports';
import { DataCard } from './DataCard';

export function Inspector() {
  const selection = useAppStore((s) => s.selection);
  const blocks = useAppStore((s) => s.project.graph.blocks);
  const selectedBlocks = selection.blocks.filter((id) => blocks.some((b) => b.id === id));
  let body;
  if (selectedBlocks.length === 1 && selection.edges.length === 0) {
    body = <BlockInspector key={selectedBlocks[0]} id={selectedBlocks[0]} />;
  } else if (selectedBlocks.length === 0 && selection.edges.length === 1) {
    body = <EdgeInspector id={selection.edges[0]} />;
  } else if (selectedBlocks.length + selection.edges.length > 1) {
    body = <MultiInspector blocks={selectedBlocks.length} edges={selection.edges.length} />;
  } else {
    body = <ProjectInspector />;
  }
  return (
    <aside className="inspector" aria-label="Inspector" data-testid="inspector">
      {body}
    </aside>
  );
}

function BlockInspector({ id }: { id: string }) {
  const block = useAppStore((s) => s.project.graph.blocks.find((b) => b.id === id));
  const catalog = useAppStore((s) => s.catalog);
  const problems = useAppStore((s) => s.problems);
  const shapes = useAppStore((s) => s.shapes[id]);
  const mine = useMemo(() => problems.filter((p) => p.blocks.includes(id)), [problems, id]);
  const spec = block && catalog?.byType.get(block.type);
  if (!block || !spec) return null;
  const visible = spec.params.filter((p) => paramApplies(p, block.params));
  return (
    <div className={`inspector-block ${groupClass(spec.group)}`} data-testid="inspector-block">
      <div className="panel-header">
        <span className="inspector-kind">{spec.group}</span>
        <h2 title={spec.description}>{spec.title}</h2>
      </div>
      <div className="inspector-scroll">
        <p className="description" data-testid="inspector-description">
          {spec.description}
        </p>
        <LabelField block={block} title={spec.title} />
        {visible.length > 0 && (
          <fieldset className="fields">
            <legend>Parameters</legend>
            {visible.map((p) => (
              <ParamField
                key={p.name}
                block={block}
                spec={p}
                problems={mine.filter((x) => x.field === p.name)}
                vary={<VaryParam block={block} param={p.name} />}
              />
            ))}
          </fieldset>
        )}
        <VaryPresence block={block} />
        <PortsTable spec={spec} block={block} shapes={shapes} />
        {mine.length > 0 && (
          <section className="inspector-problems" aria-label="Problems with this block">
            <h3>Problems</h3>
            <ul>
              {mine.map((p, i) => (
                <li key={i} className={`is-${p.severity}`} data-testid="inspector-problem">
                  <Icon name={p.severity === 'error' ? 'error' : 'warning'} size={14} />
                  {p.message}
                </li>
              ))}
            </ul>
          </section>
        )}
        <p className="muted small" title="The block's id, as connections and saved files name it">
          id: <code>{block.id}</code>
        </p>
      </div>
    </div>
  );
}

function LabelField({ block, title }: { block: Block; title: string }) {
  const setLabel = useAppStore((s) => s.setLabel);
  const seal = useAppStore((s) => s.sealHistory);
  const inputId = useId();
  return (
    <div className="field">
      <label htmlFor={inputId} title="The name shown on the block and in messages">
        Label
      </label>
      <input
        id={inputId}
        type="text"
        value={block.label ?? ''}
        placeholder={title}
        data-testid="inspector-label"
        aria-label="Block label"
        title="The name shown on the block and in messages"
        onChange={(e) => setLabel(block.id, e.target.value)}
        onBlur={seal}
      />
    </div>
  );
}

/** The tasks of the data binding, for a task head's "task" field. */
function useTasks() {
  return useAppStore((s) => s.project.data.tasks);
}

function ParamField({
  block,
  spec,
  problems,
  vary,
}: {
  block: Block;
  spec: ParamSchema;
  problems: Problem[];
  /** Below the field: its "Vary" affordance for a sweep. */
  vary?: ReactNode;
}) {
  const setParam = useAppStore((s) => s.setParam);
  const seal = useAppStore((s) => s.sealHistory);
  const features = useAppStore((s) => s.project.data.features);
  const tasks = useTasks();
  const value = block.params[spec.name];
  const [draft, setDraft] = useState(showParam(value));
  const [message, setMessage] = useState<string | null>(() => {
    const r = parseParamInput(spec, spec.kind === 'boolean' ? value === true : showParam(value));
    return r.ok ? null : r.message;
  });
  const inputId = useId();
  const messageId = `${inputId}-message`;
  const latest = useRef({ draft, spec });
  useEffect(() => void (latest.current = { draft, spec }));

  // The value changed elsewhere (undo, redo): show it, unless the draft already means it.
  useEffect(() => {
    const { draft: text, spec: schema } = latest.current;
    if (schema.kind !== 'boolean' && parseParamInput(schema, text).value === value) return;
    setDraft(showParam(value));
    const r = parseParamInput(
      schema,
      schema.kind === 'boolean' ? value === true : showParam(value),
    );
    setMessage(r.ok ? null : r.message);
  }, [value]);

  const commitText = (text: string) => {
    setDraft(text);
    const r = parseParamInput(spec, text);
    setMessage(r.ok ? null : r.message);
    // Valid values are kept; so is text that is only badly formatted (a layer list).
    if (r.value !== undefined) setParam(block.id, spec.name, r.value, { coalesce: true });
  };
  const commitChoice = (choice: ParamValue) => {
    const r = parseParamInput(spec, choice as string | boolean);
    setMessage(r.ok ? null : r.message);
    if (r.ok) setParam(block.id, spec.name, r.value, { coalesce: false });
  };

  const engineMessage = problems[0]?.message;
  const shown = message ?? engineMessage ?? null;
  const common = {
    id: inputId,
    'data-testid': `param-${spec.name}`,
    'aria-invalid': shown ? true : undefined,
    'aria-describedby': shown ? messageId : undefined,
    title: spec.description,
  };

  let control;
  if (spec.kind === 'boolean') {
    control = (
      <input
        {...common}
        type="checkbox"
        role="switch"
        className="switch"
        checked={value === true}
        aria-label={spec.title}
        onChange={(e) => commitChoice(e.target.checked)}
      />
    );
  } else if (spec.kind === 'choice') {
    control = (
      <select
        {...common}
        value={String(value)}
        aria-label={spec.title}
        onChange={(e) => commitChoice(e.target.value)}
      >
        {spec.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.title}
          </option>
        ))}
      </select>
    );
  } else if (spec.kind === 'text' && spec.format === 'task') {
    const names = tasks.map((t) => t.name);
    const current = String(value ?? '');
    control = (
      <select
        {...common}
        value={current}
        aria-label={spec.title}
        onChange={(e) => setParam(block.id, spec.name, e.target.value, { coalesce: false })}
      >
        <option value="">— choose a task —</option>
        {tasks.map((t, i) => (
          <option key={t.name} value={t.name}>
            {i + 1}. {t.name} ({t.type})
          </option>
        ))}
        {current !== '' && !names.includes(current) && (
          <option value={current}>{current} (not in the data)</option>
        )}
      </select>
    );
  } else if (spec.kind === 'number') {
    control = (
      <input
        {...common}
        type="number"
        inputMode={spec.integer ? 'numeric' : 'decimal'}
        min={spec.min}
        max={spec.max}
        step={spec.integer ? 1 : 'any'}
        value={draft}
        aria-label={spec.title}
        onChange={(e) => commitText(e.target.value)}
        onBlur={seal}
      />
    );
  } else {
    control = (
      <input
        {...common}
        type="text"
        value={draft}
        spellCheck={false}
        aria-label={spec.title}
        placeholder={
          spec.format === 'int-list'
            ? 'e.g. 128,64,32'
            : spec.format === 'column-list'
              ? 'all bound features'
              : ''
        }
        onChange={(e) => commitText(e.target.value)}
        onBlur={seal}
      />
    );
  }

  return (
    <div
      className={`field${spec.kind === 'boolean' ? ' field-switch' : ''}${shown ? ' is-invalid' : ''}`}
    >
      <label htmlFor={inputId} title={spec.description}>
        {spec.title}
        {spec.kind === 'number' && <Bounds spec={spec} />}
      </label>
      {control}
      {shown ? (
        <p
          className="field-message"
          id={messageId}
          role="alert"
          data-testid={`param-${spec.name}-message`}
        >
          {shown}
        </p>
      ) : (
        <p className="field-help">{spec.description}</p>
      )}
      {spec.kind === 'text' && spec.format === 'column-list' && features.length > 0 && (
        <p className="field-help">
          Bound features:{' '}
          {features
            .slice(0, 8)
            .map((f) => f.column)
            .join(', ')}
          {features.length > 8 ? `, … (${features.length})` : ''}
        </p>
      )}
      {vary}
    </div>
  );
}

function Bounds({ spec }: { spec: Extract<ParamSchema, { kind: 'number' }> }) {
  if (spec.min === undefined && spec.max === undefined) return null;
  const low = spec.min === undefined ? '' : `${spec.exclusiveMin ? '>' : ''}${spec.min}`;
  const high = spec.max === undefined ? '' : String(spec.max);
  return (
    <span className="bounds">
      {low && high ? `${low} – ${high}` : low ? `≥ ${low}` : `≤ ${high}`}
    </span>
  );
}

function PortsTable({
  spec,
  block,
  shapes,
}: {
  spec: CatalogBlock;
  block: Block;
  shapes: BlockShapes | undefined;
}) {
  if (spec.inputs.length + spec.outputs.length === 0) return null;
  const rows = [
    ...spec.inputs.map((p) => ({
      port: p,
      dir: 'in' as const,
      shape: (shapes?.inputs[p.name] ?? []).map(formatShape).join(' + '),
    })),
    ...spec.outputs.map((p) => ({
      port: p,
      dir: 'out' as const,
      shape: shapes?.outputs[p.name] ? formatShape(shapes.outputs[p.name]) : '',
    })),
  ];
  return (
    <section className="inspector-ports" aria-label="Ports">
      <h3>Ports</h3>
      <table>
        <tbody>
          {rows.map(({ port, dir, shape }) => {
            const type = portTypeFor(port, block.params);
            return (
              <tr key={`${dir}-${port.name}`} title={port.description}>
                <td className="muted">{dir === 'in' ? 'in' : 'out'}</td>
                <td>{port.title}</td>
                <td>
                  <span className={`type-chip port-${type}`}>{type}</span>
                </td>
                <td className="mono">{shape || (dir === 'in' ? '—' : '')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function EdgeInspector({ id }: { id: string }) {
  const edge = useAppStore((s) => s.project.graph.edges.find((e) => e.id === id));
  const blocks = useAppStore((s) => s.project.graph.blocks);
  const catalog = useAppStore((s) => s.catalog);
  const shapes = useAppStore((s) => s.shapes);
  const remove = useAppStore((s) => s.deleteSelection);
  if (!edge || !catalog) return null;
  const source = blocks.find((b) => b.id === edge.source.block);
  const target = blocks.find((b) => b.id === edge.target.block);
  if (!source || !target) return null;
  const out = outputOf(catalog, source, edge.source.port);
  const inp = inputOf(catalog, target, edge.target.port);
  const type = out ? portTypeFor(out, source.params) : null;
  const shape = shapes[source.id]?.outputs[edge.source.port];
  return (
    <div data-testid="inspector-edge">
      <div className="panel-header">
        <span className="inspector-kind">Connection</span>
        <h2>
          {blockTitle(catalog, source)} → {blockTitle(catalog, target)}
        </h2>
      </div>
      <div className="inspector-scroll">
        <dl className="facts">
          <dt>From</dt>
          <dd>
            {blockTitle(catalog, source)} · {out?.title ?? edge.source.port}
          </dd>
          <dt>To</dt>
          <dd>
            {blockTitle(catalog, target)} · {inp?.title ?? edge.target.port}
          </dd>
          {type && (
            <>
              <dt>Type</dt>
              <dd>
                <span className={`type-chip port-${type}`}>{TYPE_WORDS[type]}</span>
              </dd>
            </>
          )}
          {shape && (
            <>
              <dt>Shape</dt>
              <dd className="mono">{formatShape(shape)}</dd>
            </>
          )}
        </dl>
        <button
          type="button"
          className="btn btn-danger"
          onClick={remove}
          data-testid="inspector-delete-edge"
          title="Remove this connection (Delete)"
        >
          <Icon name="trash" /> Remove connection
        </button>
      </div>
    </div>
  );
}

function MultiInspector({ blocks, edges }: { blocks: number; edges: number }) {
  const remove = useAppStore((s) => s.deleteSelection);
  const duplicate = useAppStore((s) => s.duplicate);
  const parts = [
    blocks > 0 ? `${blocks} block${blocks > 1 ? 's' : ''}` : '',
    edges > 0 ? `${edges} connection${edges > 1 ? 's' : ''}` : '',
  ].filter(Boolean);
  return (
    <div data-testid="inspector-multi">
      <div className="panel-header">
        <span className="inspector-kind">Selection</span>
        <h2>{parts.join(' and ')}</h2>
      </div>
      <div className="inspector-scroll">
        <p className="muted">Select a single block to edit its parameters.</p>
        <div className="btn-row">
          {blocks > 0 && (
            <button
              type="button"
              className="btn btn-secondary"
              onClick={duplicate}
              title="Duplicate the selected blocks with their connections"
            >
              <Icon name="duplicate" /> Duplicate
            </button>
          )}
          <button
            type="button"
            className="btn btn-danger"
            onClick={remove}
            title="Delete the selection"
          >
            <Icon name="trash" /> Delete
          </button>
        </div>
      </div>
    </div>
  );
}

function ProjectInspector() {
  const project = useAppStore((s) => s.project);
  const name = useAppStore(documentName);
  const path = useAppStore((s) => s.path);
  const { tasks, features } = project.data;
  const categorical = features.filter((f) => f.kind === 'categorical').length;
  return (
    <div data-testid="inspector-project">
      <div className="panel-header">
        <span className="inspector-kind">Project</span>
        <h2 title={path ?? 'Not saved yet'}>{name}</h2>
      </div>
      <div className="inspector-scroll">
        <p className="muted">
          {path ? <span title={path}>Saved as {path}</span> : 'Not saved yet.'}
        </p>
        <DataCard variant="panel" />
        <section aria-label="Tasks">
          <h3>Tasks</h3>
          {tasks.length === 0 ? (
            <p className="muted">No tasks are bound yet.</p>
          ) : (
            <ol className="task-list">
              {tasks.map((t) => (
                <li key={t.name} title={`Column ${t.column}`}>
                  <span>{t.name}</span>
                  <span className={`type-chip port-${t.type}`}>{t.type}</span>
                </li>
              ))}
            </ol>
          )}
          <p className="muted small">In funnel order; the core task is the last regression task.</p>
        </section>
        <section aria-label="Features">
          <h3>Features</h3>
          <p>
            {features.length} columns · {categorical} categorical · {features.length - categorical}{' '}
            numeric
          </p>
        </section>
        <section aria-label="Model">
          <h3>Model</h3>
          <p>
            {project.graph.blocks.length} blocks · {project.graph.edges.length} connections
          </p>
        </section>
        <p className="muted small">
          Select a block to edit it. Drag from an output (right) to an input (left) of the same
          colour to connect.
        </p>
      </div>
    </div>
  );
}
