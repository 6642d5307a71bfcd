// The problems panel: every problem the engine found, errors first; clicking one selects and
// centres the block it concerns.

import { useState } from 'react';
import type { Problem } from '../../../src-main/shared/problems';
import { useAppStore } from '../../store/context';
import { Icon } from '../../ui/Icon';
import { blockTitle } from '../../store/catalog';
import { suggestionsFor } from '../../store/suggest';

export function ProblemsPanel() {
  const problems = useAppStore((s) => s.problems);
  const validation = useAppStore((s) => s.validation);
  const validationError = useAppStore((s) => s.validationError);
  const empty = useAppStore((s) => s.project.graph.blocks.length === 0);
  const [open, setOpen] = useState(true);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;

  return (
    <section
      className={`problems${open ? '' : ' is-collapsed'}`}
      aria-label="Problems"
      data-testid="problems-panel"
    >
      <header className="problems-header">
        <button
          type="button"
          className="problems-toggle"
          aria-expanded={open}
          title={open ? 'Hide the problems' : 'Show the problems'}
          data-testid="problems-toggle"
          onClick={() => setOpen(!open)}
        >
          <span className={`chevron${open ? '' : ' is-closed'}`}>
            <Icon name="chevron" size={14} />
          </span>
          <h2>Problems</h2>
        </button>
        <span className="counts" data-testid="problems-counts">
          <span
            className={`count${errors ? ' is-error' : ''}`}
            title="Errors: the model cannot train"
          >
            <Icon name="error" size={13} /> {errors}
          </span>
          <span
            className={`count${warnings ? ' is-warning' : ''}`}
            title="Warnings: probably a mistake"
          >
            <Icon name="warning" size={13} /> {warnings}
          </span>
        </span>
        {validation === 'pending' && <span className="muted small">Checking…</span>}
      </header>
      {open && (
        <div className="problems-body">
          {validationError && (
            <p className="problem is-error" role="alert" data-testid="validation-error">
              <Icon name="error" size={14} /> The engine could not check the model:{' '}
              {validationError}
            </p>
          )}
          {problems.length === 0 && !validationError && (
            <p className="empty-note" data-testid="problems-empty">
              {empty ? (
                'Problems with the model appear here as you build it.'
              ) : validation === 'pending' ? (
                'Checking the model…'
              ) : (
                <>
                  <Icon name="ok" size={14} /> No problems: the model is complete.
                </>
              )}
            </p>
          )}
          {problems.length > 0 && (
            <ul className="problem-list">
              {problems.map((p, i) => (
                <ProblemItem key={`${p.code}-${i}`} problem={p} />
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

function ProblemItem({ problem }: { problem: Problem }) {
  const focusBlock = useAppStore((s) => s.focusBlock);
  const blocks = useAppStore((s) => s.project.graph.blocks);
  const catalog = useAppStore((s) => s.catalog);
  const target = problem.blocks.find((id) => blocks.some((b) => b.id === id));
  const names = problem.blocks
    .map((id) => blocks.find((b) => b.id === id))
    .filter((b) => b !== undefined)
    .map((b) => blockTitle(catalog, b));
  const content = (
    <>
      <Icon name={problem.severity === 'error' ? 'error' : 'warning'} size={14} />
      <span className="problem-message">{problem.message}</span>
      {names.length > 0 && <span className="problem-blocks">{names.join(', ')}</span>}
    </>
  );
  return (
    <li>
      {target ? (
        <button
          type="button"
          className={`problem is-${problem.severity}`}
          data-testid="problem-item"
          data-code={problem.code}
          title="Show this block"
          onClick={() => focusBlock(target)}
        >
          {content}
        </button>
      ) : (
        <div
          className={`problem is-${problem.severity}`}
          data-testid="problem-item"
          data-code={problem.code}
        >
          {content}
        </div>
      )}
      {problem.code === 'missing-input' && target && <PortFixes blockId={target} />}
    </li>
  );
}

/** Most block types offered for one port (the rest are in the palette). */
const MAX_OFFERED = 4;

/** What fits an empty input: add a compatible block and connect it, or connect one present. */
function PortFixes({ blockId }: { blockId: string }) {
  const catalog = useAppStore((s) => s.catalog);
  const project = useAppStore((s) => s.project);
  const addAndConnect = useAppStore((s) => s.addAndConnect);
  const connect = useAppStore((s) => s.connect);
  if (!catalog) return null;
  const name = (id: string) => {
    const b = project.graph.blocks.find((x) => x.id === id);
    return b ? blockTitle(catalog, b) : id;
  };
  return (
    <>
      {suggestionsFor(catalog, project, blockId).map((s) => (
        <div key={s.port} className="problem-fixes" data-testid="problem-fixes" data-port={s.port}>
          <span className="muted small">
            Fits the &ldquo;{s.portTitle}&rdquo; port of {name(blockId)}:
          </span>
          {s.connect.slice(0, MAX_OFFERED).map((c) => (
            <button
              key={`c-${c.block}`}
              type="button"
              className="btn btn-secondary btn-sm"
              title={`Connect ${name(c.block)} to the "${s.portTitle}" port of ${name(blockId)}`}
              data-testid={`fix-connect-${c.block}`}
              onClick={() =>
                connect({ block: c.block, port: c.output }, { block: blockId, port: s.port })
              }
            >
              Connect {name(c.block)}
            </button>
          ))}
          {s.add.slice(0, MAX_OFFERED).map((a) => (
            <button
              key={`a-${a.type}`}
              type="button"
              className="btn btn-secondary btn-sm"
              title={`Add a ${a.title} block and connect it to the "${s.portTitle}" port of ${name(blockId)}`}
              data-testid={`fix-add-${a.type}`}
              onClick={() => addAndConnect(a.type, a.output, { block: blockId, port: s.port })}
            >
              + Add {a.title} and connect
            </button>
          ))}
          {s.add.length === 0 && s.connect.length === 0 && (
            <span className="muted small">no block fits here yet</span>
          )}
        </div>
      ))}
    </>
  );
}
