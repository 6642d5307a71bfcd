// A block on the canvas: its label and type, typed ports coloured by type (inputs on the left,
// outputs on the right, each output with its inferred shape), a one-line summary of its main
// parameters, and the first problem the engine found with it.

import { Handle, Position, useConnection, type Node, type NodeProps } from '@xyflow/react';
import { memo, useMemo } from 'react';
import { formatShape } from '../../../src-main/shared/problems';
import { useAppStore, useStoreApi } from '../../store/context';
import { Icon } from '../../ui/Icon';
import { blockTitle, portTypeFor } from '../../store/catalog';
import { refusalBetweenHandles } from '../../store/connection';
import { paramSummary } from '../../store/params';
import { groupClass, portTooltip } from './ports';

export type BlockNodeType = Node<Record<string, never>, 'block'>;

function BlockNodeView({ id, selected }: NodeProps<BlockNodeType>) {
  const block = useAppStore((s) => s.project.graph.blocks.find((b) => b.id === id));
  const catalog = useAppStore((s) => s.catalog);
  const allProblems = useAppStore((s) => s.problems);
  const shapes = useAppStore((s) => s.shapes[id]);
  const problems = useMemo(
    () => allProblems.filter((p) => p.blocks.includes(id)),
    [allProblems, id],
  );
  const store = useStoreApi();
  // While a connection is dragged: which of this block's ports could take it.
  const from = useConnection((c) => (c.inProgress ? c.fromHandle : null));
  const spec = block && catalog?.byType.get(block.type);
  if (!block || !spec) return null;
  const reach = (port: string, type: 'source' | 'target'): string => {
    if (!from || !catalog || (from.nodeId === id && from.id === port)) return '';
    if (from.type === type) return ' cannot-connect';
    const graph = store.getState().project.graph;
    const refused = refusalBetweenHandles(catalog, graph, from, { nodeId: id, id: port, type });
    return refused ? ' cannot-connect' : ' can-connect';
  };

  const title = blockTitle(catalog, block);
  const errors = problems.filter((p) => p.severity === 'error');
  const shown = errors[0] ?? problems[0];
  const summary = paramSummary(spec, block.params);
  const state = errors.length > 0 ? 'has-error' : problems.length > 0 ? 'has-warning' : '';

  return (
    <div
      className={`block-node ${groupClass(spec.group)} ${state}${selected ? ' is-selected' : ''}`}
      data-testid={`node-${id}`}
      title={`${title} — ${spec.title}\n${spec.description}`}
      role="group"
      aria-label={`${title}${title !== spec.title ? `, ${spec.title}` : ''}${errors.length ? `, ${errors.length} error${errors.length > 1 ? 's' : ''}` : ''}`}
    >
      <header className="block-header">
        <span className="block-title">{title}</span>
        {/* Always a second line, so renaming a block never moves its ports. */}
        <span className="block-type">{title !== spec.title ? spec.title : spec.group}</span>
      </header>
      <div className="block-ports">
        <div className="block-inputs">
          {spec.inputs.map((port) => {
            const type = portTypeFor(port, block.params);
            const shapesIn = shapes?.inputs[port.name] ?? [];
            return (
              <div className="port-row port-in" key={port.name}>
                <Handle
                  type="target"
                  position={Position.Left}
                  id={port.name}
                  className={`port-handle port-${type}${port.multiple ? ' is-multiple' : ''}${reach(port.name, 'target')}`}
                  data-testid={`port-${id}-in-${port.name}`}
                  title={`${portTooltip(port, 'in', type)}${shapesIn.length ? `\nReceives ${shapesIn.map(formatShape).join(', ')}` : ''}`}
                />
                <span className="port-name">
                  {port.title}
                  {port.required && shapesIn.length === 0 && (
                    <span className="port-required" title="required">
                      *
                    </span>
                  )}
                </span>
              </div>
            );
          })}
        </div>
        <div className="block-outputs">
          {spec.outputs.map((port) => {
            const type = portTypeFor(port, block.params);
            const shape = shapes?.outputs[port.name];
            return (
              <div className="port-row port-out" key={port.name}>
                <span className="port-name">
                  {port.title}
                  {/* Reserved even before the engine answers: no jump when shapes arrive. */}
                  <span
                    className="port-shape"
                    data-testid={shape ? `shape-${id}-${port.name}` : undefined}
                  >
                    {shape ? formatShape(shape) : '\u00a0'}
                  </span>
                </span>
                <Handle
                  type="source"
                  position={Position.Right}
                  id={port.name}
                  className={`port-handle port-${type}${reach(port.name, 'source')}`}
                  data-testid={`port-${id}-out-${port.name}`}
                  title={`${portTooltip(port, 'out', type)}${shape ? `\nShape ${formatShape(shape)}` : ''}`}
                />
              </div>
            );
          })}
        </div>
      </div>
      {summary && <div className="block-summary">{summary}</div>}
      {shown && (
        <div
          className={`block-problem is-${shown.severity}`}
          data-testid={`node-problem-${id}`}
          title={problems.map((p) => p.message).join('\n')}
        >
          <Icon name={shown.severity === 'error' ? 'error' : 'warning'} size={12} />
          <span>{shown.message}</span>
          {problems.length > 1 && <span className="more">+{problems.length - 1}</span>}
        </div>
      )}
    </div>
  );
}

export const BlockNode = memo(BlockNodeView);
