// The canvas: the graph in React Flow, controlled by the store. Blocks are dragged (one undo
// step per drag), connected (refused connections say why, near the cursor and in a toast),
// selected, and dropped in from the palette. The canvas carries out the store's view requests
// (fit the view, centre a block) and tells it where the middle of the view is.

import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  Panel,
  ReactFlow,
  ReactFlowProvider,
  useConnection,
  useReactFlow,
  type Connection,
  type Edge as FlowEdge,
  type EdgeChange,
  type FinalConnectionState,
  type IsValidConnection,
  type NodeChange,
} from '@xyflow/react';
import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type DragEvent,
  type ReactNode,
} from 'react';
import { formatShape } from '../../../src-main/shared/problems';
import type { BlockType } from '../../../src-main/shared/project';
import { useAppStore, useStoreApi } from '../../store/context';
import { Icon } from '../../ui/Icon';
import { blockTitle, outputOf, inputOf, portTypeFor, TYPE_WORDS } from '../../store/catalog';
import { checkConnection, refusalBetweenHandles } from '../../store/connection';
import { setPositions, type XY } from '../../store/graph-ops';
import { BlockNode, type BlockNodeType } from './BlockNode';
import { DataCard } from './DataCard';
import { BLOCK_MIME } from './Palette';
import { groupClass, portColor } from './ports';

const nodeTypes = { block: BlockNode };
const DEFAULT_VIEWPORT = { x: 60, y: 60, zoom: 1 };
const GRID = 20;
const SNAP_GRID: [number, number] = [GRID, GRID];
/** A dropped block's top-left corner relative to the pointer (the pointer lands on its header). */
const DROP_OFFSET = { x: 90, y: 20 };

type Size = { width: number; height: number };

/** `emptyAction`: a further start offered on the empty canvas (the app gives "Try the sample"). */
export function Canvas({ emptyAction }: { emptyAction?: ReactNode }) {
  return (
    <ReactFlowProvider>
      <CanvasView emptyAction={emptyAction} />
    </ReactFlowProvider>
  );
}

function CanvasView({ emptyAction }: { emptyAction?: ReactNode }) {
  const store = useStoreApi();
  const project = useAppStore((s) => s.project);
  const selection = useAppStore((s) => s.selection);
  const shapes = useAppStore((s) => s.shapes);
  const problems = useAppStore((s) => s.problems);
  const catalog = useAppStore((s) => s.catalog);
  const snapToGrid = useAppStore((s) => s.snapToGrid);
  const theme = useAppStore((s) => s.theme);
  const focusRequest = useAppStore((s) => s.focusRequest);
  const fitRequest = useAppStore((s) => s.fitRequest);
  const [measured, setMeasured] = useState<Record<string, Size>>({});
  const flow = useReactFlow<BlockNodeType, FlowEdge>();
  const wrapper = useRef<HTMLDivElement>(null);
  const dragging = useRef(false);

  const nodes = useMemo<BlockNodeType[]>(() => {
    const selected = new Set(selection.blocks);
    return project.graph.blocks.map((b) => ({
      id: b.id,
      type: 'block',
      position: b.position,
      data: {},
      selected: selected.has(b.id),
      measured: measured[b.id],
    }));
  }, [project.graph.blocks, selection.blocks, measured]);

  const edges = useMemo<FlowEdge[]>(() => {
    const selected = new Set(selection.edges);
    const byId = new Map(project.graph.blocks.map((b) => [b.id, b]));
    const failing = new Set(problems.filter((p) => p.edge).map((p) => p.edge));
    return project.graph.edges.map((e) => {
      const source = byId.get(e.source.block);
      const target = byId.get(e.target.block);
      const out = source && catalog ? outputOf(catalog, source, e.source.port) : undefined;
      const inp = target && catalog ? inputOf(catalog, target, e.target.port) : undefined;
      const type = out && source ? portTypeFor(out, source.params) : 'vector';
      const shape = shapes[e.source.block]?.outputs[e.source.port];
      const from = source ? blockTitle(catalog, source) : e.source.block;
      const to = target ? blockTitle(catalog, target) : e.target.block;
      return {
        id: e.id,
        source: e.source.block,
        sourceHandle: e.source.port,
        target: e.target.block,
        targetHandle: e.target.port,
        selected: selected.has(e.id),
        className: `edge port-${type}${failing.has(e.id) ? ' has-error' : ''}`,
        style: { stroke: portColor(type) },
        label: shape ? formatShape(shape) : undefined,
        labelBgPadding: [4, 2] as [number, number],
        labelBgBorderRadius: 4,
        ariaLabel: `${from} ${out?.title ?? e.source.port} → ${to} ${inp?.title ?? e.target.port} (${TYPE_WORDS[type]})`,
        domAttributes: { 'data-edge': e.id } as never,
      };
    });
  }, [project.graph, selection.edges, shapes, problems, catalog]);

  const onNodesChange = useCallback(
    (changes: NodeChange<BlockNodeType>[]) => {
      const state = store.getState();
      const sizes: Record<string, Size> = {};
      const positions: Record<string, XY> = {};
      const selected = new Set(state.selection.blocks);
      let resized = false;
      let moved = false;
      let reselected = false;
      for (const c of changes) {
        if (c.type === 'dimensions' && c.dimensions) {
          sizes[c.id] = c.dimensions;
          resized = true;
        } else if (c.type === 'position' && c.position) {
          positions[c.id] = c.position;
          moved = true;
        } else if (c.type === 'select') {
          if (c.selected) selected.add(c.id);
          else selected.delete(c.id);
          reselected = true;
        }
      }
      if (resized) setMeasured((m) => ({ ...m, ...sizes }));
      if (moved) {
        if (dragging.current) state.moveLive(positions);
        else {
          // Moved with the arrow keys: a run of nudges of the same blocks is one step.
          const key = `nudge:${Object.keys(positions).sort().join(',')}`;
          state.edit((p) => setPositions(p, positions), { coalesce: key });
        }
      }
      if (reselected) {
        state.select({ blocks: [...selected], edges: store.getState().selection.edges });
      }
    },
    [store],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const state = store.getState();
      const selected = new Set(state.selection.edges);
      let reselected = false;
      for (const c of changes) {
        if (c.type !== 'select') continue;
        if (c.selected) selected.add(c.id);
        else selected.delete(c.id);
        reselected = true;
      }
      if (reselected) {
        state.select({ blocks: store.getState().selection.blocks, edges: [...selected] });
      }
    },
    [store],
  );

  const startDrag = useCallback(() => {
    dragging.current = true;
    store.getState().beginMove();
  }, [store]);
  const stopDrag = useCallback(() => {
    dragging.current = false;
    store.getState().endMove();
  }, [store]);

  const onConnect = useCallback(
    (c: Connection) => {
      store
        .getState()
        .connect(
          { block: c.source, port: c.sourceHandle ?? '' },
          { block: c.target, port: c.targetHandle ?? '' },
        );
    },
    [store],
  );

  const isValidConnection = useCallback<IsValidConnection>(
    (c) => {
      const { catalog: cat, project: p } = store.getState();
      if (!cat) return false;
      return checkConnection(
        cat,
        p.graph,
        { block: c.source, port: c.sourceHandle ?? '' },
        { block: c.target, port: c.targetHandle ?? '' },
      ).isValid;
    },
    [store],
  );

  const onConnectEnd = useCallback(
    (_event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      const s = store.getState();
      s.setConnectionHint(null);
      if (state.isValid || !state.toHandle || !state.fromHandle || !s.catalog) return;
      const reason = refusalBetweenHandles(
        s.catalog,
        s.project.graph,
        state.fromHandle,
        state.toHandle,
      );
      if (reason) s.toast('error', `Not connected. ${reason}`);
    },
    [store],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(BLOCK_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(BLOCK_MIME);
      if (!type) return;
      event.preventDefault();
      const p = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      const at = { x: p.x - DROP_OFFSET.x, y: p.y - DROP_OFFSET.y };
      const snapped = store.getState().snapToGrid
        ? { x: Math.round(at.x / GRID) * GRID, y: Math.round(at.y / GRID) * GRID }
        : at;
      store.getState().addBlock(type as BlockType, snapped);
    },
    [flow, store],
  );

  // The middle of the view, for blocks added from the palette by a click.
  useEffect(() => {
    store.getState().setViewCentre(() => {
      const r = wrapper.current?.getBoundingClientRect();
      if (!r || r.width === 0) return { x: 200, y: 120 };
      return flow.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 });
    });
  }, [flow, store]);

  useEffect(() => {
    if (!focusRequest) return;
    const node = flow.getInternalNode(focusRequest.id);
    if (!node) return;
    const w = node.measured.width ?? 200;
    const h = node.measured.height ?? 100;
    void flow.setCenter(
      node.internals.positionAbsolute.x + w / 2,
      node.internals.positionAbsolute.y + h / 2,
      { zoom: Math.max(flow.getZoom(), 1), duration: 300 },
    );
  }, [focusRequest, flow]);

  useEffect(() => {
    if (fitRequest === 0) return;
    if (store.getState().project.graph.blocks.length === 0) {
      // Nothing to fit (React Flow would keep the request until the first block appears): back
      // to full size, so blocks dropped on a new canvas do not land at a big template's 27%.
      void flow.setViewport(DEFAULT_VIEWPORT);
      store.getState().setViewport(DEFAULT_VIEWPORT);
      return;
    }
    void flow.fitView({ padding: 0.15, maxZoom: 1.1, duration: 250 });
  }, [fitRequest, flow, store]);

  // Every block deleted: the next one dropped shows at full size too.
  const isEmpty = project.graph.blocks.length === 0;
  useEffect(() => {
    if (!isEmpty || flow.getZoom() === DEFAULT_VIEWPORT.zoom) return;
    void flow.setViewport(DEFAULT_VIEWPORT);
    store.getState().setViewport(DEFAULT_VIEWPORT);
  }, [isEmpty, flow, store]);

  return (
    <div
      className="canvas"
      ref={wrapper}
      data-testid="canvas"
      role="region"
      onDragOver={onDragOver}
      onDrop={onDrop}
      aria-label="Model graph"
    >
      <ReactFlow<BlockNodeType, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeDragStart={startDrag}
        onNodeDragStop={stopDrag}
        onSelectionDragStart={startDrag}
        onSelectionDragStop={stopDrag}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        snapToGrid={snapToGrid}
        snapGrid={SNAP_GRID}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control']}
        colorMode={theme}
        defaultViewport={store.getState().viewport ?? DEFAULT_VIEWPORT}
        onMoveEnd={(_event, viewport) => store.getState().setViewport(viewport)}
        minZoom={0.2}
        maxZoom={2.5}
        connectionRadius={24}
        attributionPosition="top-right"
        elevateEdgesOnSelect
      >
        <Background variant={BackgroundVariant.Dots} gap={GRID} size={1.2} />
        <Controls showInteractive={false} position="bottom-left" />
        {project.graph.blocks.length > 0 && (
          <MiniMap
            style={{ width: 168, height: 112 }}
            pannable
            zoomable
            position="bottom-right"
            ariaLabel="Overview of the graph"
            nodeClassName={(n) => minimapClass(n.id)}
            nodeBorderRadius={6}
          />
        )}
        <ConnectionHint />
        {project.graph.blocks.length > 0 && (
          <Panel position="top-left">
            <DataCard variant="canvas" />
          </Panel>
        )}
      </ReactFlow>
      {project.graph.blocks.length === 0 && <EmptyState action={emptyAction} />}
    </div>
  );

  function minimapClass(id: string): string {
    const block = project.graph.blocks.find((b) => b.id === id);
    const group = block && catalog?.byType.get(block.type)?.group;
    return group ? groupClass(group) : '';
  }
}

/** While a connection is dragged over a port it may not reach: why, next to the cursor. */
export function ConnectionHint() {
  const store = useStoreApi();
  const connection = useConnection();
  const catalog = useAppStore((s) => s.catalog);
  const graph = useAppStore((s) => s.project.graph);
  let reason: string | null = null;
  if (
    connection.inProgress &&
    connection.toHandle &&
    connection.fromHandle &&
    !connection.isValid &&
    catalog
  ) {
    reason = refusalBetweenHandles(catalog, graph, connection.fromHandle, connection.toHandle);
  }
  useEffect(() => {
    store.getState().setConnectionHint(reason);
  }, [reason, store]);
  if (!reason || !connection.inProgress) return null;
  const { x, y } = connection.pointer;
  return (
    <div
      className="connection-hint"
      role="status"
      data-testid="connection-hint"
      style={{ left: x + 16, top: y + 16 }}
    >
      <Icon name="error" size={14} />
      {reason}
    </div>
  );
}

function EmptyState({ action }: { action?: ReactNode }) {
  const openDialog = useAppStore((s) => s.openDialog);
  const openProject = useAppStore((s) => s.openProject);
  const recent = useAppStore((s) => s.recent);
  const shown = recent.filter((r) => r.exists).slice(0, 4);
  return (
    <div className="empty-state" data-testid="empty-state">
      <div className="empty-card">
        <h2>Start from a template or drag a block here</h2>
        <p>
          Build a multi-task model from blocks: features feed a shared embedding, towers learn per
          task, task heads predict. Or begin with HTLNet or a baseline and adapt it.
        </p>
        <div className="empty-actions">
          <button
            type="button"
            className="btn btn-primary"
            data-testid="empty-templates"
            title="Choose HTLNet or a baseline model to start from"
            onClick={() => openDialog({ kind: 'templates' })}
          >
            <Icon name="templates" /> Browse templates
          </button>
          {action}
          <button
            type="button"
            className="btn btn-secondary"
            data-testid="empty-open"
            title="Open a saved project"
            onClick={() => void openProject()}
          >
            <Icon name="open" /> Open project…
          </button>
        </div>
        {shown.length > 0 && (
          <div className="empty-recent">
            <h3>Recent projects</h3>
            <ul>
              {shown.map((r) => (
                <li key={r.path}>
                  <button
                    type="button"
                    className="link"
                    title={r.path}
                    data-testid="empty-recent-item"
                    onClick={() => void openProject(r.path)}
                  >
                    {r.name}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </div>
  );
}
