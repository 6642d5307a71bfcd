// Step 3 of the import wizard: the binding in words (features, targets in chain order, what is
// left out), how it fits the model's task heads, and Apply (project:rebind), which stores it in
// the project so the graph's input and head blocks follow it.

import { useEffect, useState } from 'react';
import type { Problem } from '../../../src-main/shared/problems';
import type { ProjectFile } from '../../../src-main/shared/project';
import { draftCore, draftToBinding, sameBinding } from '../../store/journey/binding';
import { humanize } from '../../ui/format';
import { ErrorBox, type JourneyProps } from '../../ui/kit';
import { errorText, useJourney, useJourneyActions } from '../../store/journey';

function headCount(project: ProjectFile): number {
  return project.graph.blocks.filter((b) => b.type === 'task-head').length;
}

export function ReviewStep({ project, onProjectChange, onNavigate, onShowBlocks }: JourneyProps) {
  const journey = useJourneyActions();
  const draft = useJourney((s) => s.draft);
  const preview = useJourney((s) => s.preview);
  const applyError = useJourney((s) => s.applyError);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const binding = draft ? draftToBinding(draft) : null;
  const applied =
    binding !== null &&
    project.data.source === binding.source &&
    sameBinding(project.data, binding);

  // The project's problems once the binding is in (heads that do not match, …).
  useEffect(() => {
    if (!applied) {
      // eslint-disable-next-line react-hooks/set-state-in-effect -- no binding, no problems
      setProblems(null);
      return;
    }
    let live = true;
    journey.api.projectValidate(project).then(
      (v) => live && setProblems(v.problems),
      () => live && setProblems(null),
    );
    return () => {
      live = false;
    };
  }, [applied, project, journey.api]);

  if (!draft || !preview || !binding) return null;
  const core = draftCore(draft);
  const heads = headCount(project);
  const empty = project.graph.blocks.length === 0;
  const categorical = binding.features.filter((f) => f.kind === 'categorical');
  const numeric = binding.features.filter((f) => f.kind === 'numeric');

  const apply = async (template: boolean) => {
    setBusy(true);
    setError(null);
    try {
      // The template is built for these targets: one head per task, named after it.
      const base = template ? await journey.api.templatesCreate('htlnet', binding) : project;
      const next = await journey.applyDraft(
        template
          ? {
              ...base,
              // A new, unnamed project takes the template's name.
              name: project.name.trim() && project.name !== 'Untitled' ? project.name : base.name,
              training: project.training,
            }
          : base,
      );
      if (next) onProjectChange(next);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const bindingProblems = (problems ?? []).filter((p) => p.severity === 'error');

  return (
    <div className="j-review" data-testid="review-step">
      <div className="j-review-grid">
        <section className="j-panel">
          <h3>Targets, in funnel order</h3>
          <ol className="j-chain-summary" data-testid="review-targets">
            {binding.tasks.map((t, i) => (
              <li key={t.name}>
                <strong>{humanize(t.name)}</strong> <span className="j-muted">({t.type})</span>
                {i === core && (
                  <span className="j-core-badge" title="The core task">
                    core
                  </span>
                )}
              </li>
            ))}
          </ol>
        </section>
        <section className="j-panel">
          <h3>Features</h3>
          <p data-testid="review-features">
            {binding.features.length} columns: {categorical.length} categorical, {numeric.length}{' '}
            numeric
          </p>
          <p className="j-muted j-wrap">
            {binding.features.map((f) => f.column).join(', ') || 'none'}
          </p>
          {binding.excluded.length > 0 && (
            <p className="j-muted j-wrap" data-testid="review-excluded">
              Left out: {binding.excluded.join(', ')}
            </p>
          )}
          {(() => {
            const unused = preview.columns.filter(
              (c) =>
                !binding.features.some((f) => f.column === c.name) &&
                !binding.tasks.some((t) => t.column === c.name) &&
                !binding.excluded.includes(c.name),
            );
            return unused.length > 0 ? (
              <p className="j-muted">Not used: {unused.map((c) => c.name).join(', ')}</p>
            ) : null;
          })()}
        </section>
      </div>
      {!empty && heads !== binding.tasks.length && (
        <p className="j-warning" role="note" data-testid="heads-mismatch">
          The model has {heads} task head{heads === 1 ? '' : 's'} and the data has{' '}
          {binding.tasks.length} target{binding.tasks.length === 1 ? '' : 's'}. After applying, add
          or remove heads in the Model tab, or start from the HTLNet template.
        </p>
      )}
      {(applyError || error) && <ErrorBox message={applyError ?? error ?? ''} />}
      {applied ? (
        <div className="j-applied" role="status" data-testid="binding-applied">
          <p>
            <strong>The project uses this data.</strong> The model&apos;s inputs and task heads
            follow these columns.
          </p>
          {bindingProblems.length > 0 && (
            <ul className="j-issues">
              {bindingProblems.map((p, i) => (
                <li key={i} className="j-issue j-issue-error">
                  {p.message}
                  {p.blocks.length > 0 && onShowBlocks && (
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      onClick={() => onShowBlocks(p.blocks)}
                      title="Show the blocks concerned in the model editor"
                    >
                      Show in model
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
      <div className="j-nav">
        <button
          type="button"
          className="btn btn-secondary"
          onClick={() => journey.setStep('columns')}
          title="Back to the columns"
          data-testid="wizard-back"
        >
          Back
        </button>
        {applied ? (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => onNavigate?.('train')}
            title="Go to training"
            data-testid="go-train"
            disabled={!onNavigate}
          >
            Next: train
          </button>
        ) : (
          <button
            type="button"
            className={empty ? 'btn btn-secondary' : 'btn btn-primary'}
            onClick={() => void apply(false)}
            disabled={busy}
            title={
              empty
                ? 'Store only the binding; build the model yourself in the Model tab'
                : "Store this binding in the project; the model's input and head blocks follow it"
            }
            data-testid="apply-binding"
          >
            {busy ? 'Applying…' : empty ? 'Apply without a model' : 'Apply to project'}
          </button>
        )}
        {empty && !applied && (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => void apply(true)}
            disabled={busy}
            title="Create the HTLNet model for these targets and use this data"
            data-testid="apply-with-template"
          >
            Use with the HTLNet template
          </button>
        )}
      </div>
    </div>
  );
}
