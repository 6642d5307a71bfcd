// The problems panel: every problem the engine found, errors first; clicking one selects and
// centres the block it concerns.

import { useState } from 'react';
import type { Problem } from '../../src-main/shared/problems';
import { useAppStore } from '../app/context';
import { Icon } from '../app/Icon';
import { blockTitle } from '../store/catalog';

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
    </li>
  );
}
