// The status line: what a connection being dragged needs (or why it is refused), the selection,
// the size of the graph, snapping and the compute backend.

import { useAppStore } from '../../store/context';
import { isDirty } from '../../store/project-slice';

export function StatusBar() {
  const hint = useAppStore((s) => s.connectionHint);
  const selection = useAppStore((s) => s.selection);
  const blocks = useAppStore((s) => s.project.graph.blocks.length);
  const edges = useAppStore((s) => s.project.graph.edges.length);
  const snap = useAppStore((s) => s.snapToGrid);
  const info = useAppStore((s) => s.info);
  const busy = useAppStore((s) => s.busy);
  const dirty = useAppStore(isDirty);
  const selected = selection.blocks.length + selection.edges.length;
  return (
    <footer className="status-bar" data-testid="status-bar">
      <span
        className={`status-hint${hint ? ' is-error' : ''}`}
        data-testid="status-hint"
        role="status"
      >
        {busy ?? hint ?? (selected > 0 ? `${selected} selected` : 'Ready')}
      </span>
      <span className="status-spacer" />
      <span title="Blocks and connections in the model">
        {blocks} blocks · {edges} connections
      </span>
      <span title="Moved blocks snap to a 20 px grid (View › Snap to Grid)">
        Snap {snap ? 'on' : 'off'}
      </span>
      <span title={dirty ? 'There are unsaved changes' : 'Everything is saved'}>
        {dirty ? 'Unsaved' : 'Saved'}
      </span>
      {info && (
        <span
          className={info.backend ? '' : 'is-error'}
          title={
            info.backend
              ? 'The compute backend the engine trains on'
              : 'No compute backend: models cannot train in this session'
          }
        >
          {info.backend ? `compute: ${info.backend}` : 'no compute backend'}
        </span>
      )}
    </footer>
  );
}
