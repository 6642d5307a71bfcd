// "Prune runs…": deletes finished runs the analyst no longer needs (older than N days, all but
// the newest N, or one experiment's runs), after showing exactly which runs would go and the
// disk space that frees. The host chooses the runs (runs:prune with dryRun, then for real with
// the same options), so what is shown is what is deleted; runs still training are never chosen.

import { useEffect, useRef, useState } from 'react';
import type { PruneOptions, PruneResult, RunSummary } from '../../../src-main/ipc/api';
import { formatBytes, formatTime } from '../../ui/format';
import { Modal } from '../../ui/Modal';
import { useJourneyActions } from '../../store/journey';
import { groupLabel, groupsOf } from './groups';

type Mode = 'older' | 'newest' | 'group';

/** "1 Mar 2026, 10:15 · Ablation · full · seed 1 · 254 KB" */
function runFacts(run: RunSummary): string {
  const group = groupLabel(run);
  return [
    formatTime(run.startedAt),
    ...(group ? [group] : []),
    ...(run.diskBytes !== undefined ? [formatBytes(run.diskBytes)] : []),
  ].join(' · ');
}

export function PruneDialog({
  runs,
  initialGroup,
  onClose,
  onDone,
}: {
  /** The runs listed (for names and sizes of those the host picks). */
  runs: readonly RunSummary[];
  /** Starts on this experiment's runs (the table's group filter). */
  initialGroup?: string;
  onClose: () => void;
  onDone: (result: PruneResult) => void;
}) {
  const journey = useJourneyActions();
  const groups = groupsOf(runs);
  const [mode, setMode] = useState<Mode>(initialGroup ? 'group' : 'older');
  const [days, setDays] = useState(30);
  const [keep, setKeep] = useState(20);
  const [group, setGroup] = useState(initialGroup ?? groups[0]?.id ?? '');
  // The host's answer to a dry run, with the options it answers (an older one is not shown).
  const [answer, setAnswer] = useState<{ key: string; result: PruneResult | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const asked = useRef(0);

  const options: PruneOptions | null =
    mode === 'older'
      ? Number.isInteger(days) && days >= 0
        ? { olderThanDays: days }
        : null
      : mode === 'newest'
        ? Number.isInteger(keep) && keep >= 0
          ? { keepNewest: keep }
          : null
        : group
          ? { group }
          : null;
  const key = JSON.stringify(options);
  const answered = answer?.key === key;
  const preview = answered ? answer.result : null;

  useEffect(() => {
    const n = ++asked.current;
    if (!options) return;
    void journey.pruneRuns({ ...options, dryRun: true }).then((result) => {
      if (n === asked.current) setAnswer({ key, result });
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for the options
  }, [key]);

  const doomed = (preview?.deleted ?? []).map((id) => ({
    id,
    run: runs.find((r) => r.id === id),
  }));

  const confirm = async () => {
    if (!options || !preview || preview.deleted.length === 0) return;
    setBusy(true);
    const result = await journey.pruneRuns(options);
    setBusy(false);
    if (result) onDone(result);
  };

  return (
    <Modal
      title="Prune runs"
      testId="prune-dialog"
      onCancel={onClose}
      wide
      footer={
        <>
          <span className="spacer" />
          <button
            type="button"
            className="btn btn-secondary"
            onClick={onClose}
            data-testid="prune-cancel"
            title="Keep every run"
          >
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-danger"
            disabled={busy || !preview || preview.deleted.length === 0}
            onClick={() => void confirm()}
            data-testid="prune-confirm"
            title="Delete these runs and their trained models for good"
          >
            {preview && preview.deleted.length > 0
              ? `Delete ${preview.deleted.length} run${preview.deleted.length === 1 ? '' : 's'}`
              : 'Delete'}
          </button>
        </>
      }
    >
      <fieldset className="j-prune-fields">
        <legend>Which runs to delete (runs still training are always kept)</legend>
        <label>
          <input
            type="radio"
            name="prune-mode"
            checked={mode === 'older'}
            onChange={() => setMode('older')}
            data-testid="prune-mode-older"
          />{' '}
          Started more than{' '}
          <input
            type="number"
            min={0}
            step={1}
            value={days}
            onChange={(e) => setDays(e.currentTarget.valueAsNumber)}
            onFocus={() => setMode('older')}
            aria-label="Days"
            data-testid="prune-days"
          />{' '}
          days ago
        </label>
        <label>
          <input
            type="radio"
            name="prune-mode"
            checked={mode === 'newest'}
            onChange={() => setMode('newest')}
            data-testid="prune-mode-newest"
          />{' '}
          All but the newest{' '}
          <input
            type="number"
            min={0}
            step={1}
            value={keep}
            onChange={(e) => setKeep(e.currentTarget.valueAsNumber)}
            onFocus={() => setMode('newest')}
            aria-label="Runs to keep"
            data-testid="prune-keep"
          />{' '}
          runs
        </label>
        <label>
          <input
            type="radio"
            name="prune-mode"
            checked={mode === 'group'}
            onChange={() => setMode('group')}
            disabled={groups.length === 0}
            data-testid="prune-mode-group"
          />{' '}
          Every run of the experiment{' '}
          <select
            value={group}
            onChange={(e) => {
              setGroup(e.currentTarget.value);
              setMode('group');
            }}
            disabled={groups.length === 0}
            aria-label="Experiment"
            data-testid="prune-group"
          >
            {groups.length === 0 && <option value="">(no experiments)</option>}
            {groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name} ({g.runs} run{g.runs === 1 ? '' : 's'})
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <div aria-live="polite" data-testid="prune-preview">
        {!options ? (
          <p className="j-inline-error">Enter a whole number of 0 or more.</p>
        ) : !preview ? (
          answered ? (
            <p className="j-inline-error">
              The runs to delete could not be listed: see the message above the table.
            </p>
          ) : (
            <p className="j-muted">Finding the runs…</p>
          )
        ) : preview.deleted.length === 0 ? (
          <p className="j-muted" data-testid="prune-nothing">
            No finished run matches: nothing would be deleted.
          </p>
        ) : (
          <>
            <p data-testid="prune-summary">
              <strong>
                {preview.deleted.length} run{preview.deleted.length === 1 ? '' : 's'} will be
                deleted, freeing {formatBytes(preview.freedBytes)}.
              </strong>{' '}
              Their trained models go with them; this cannot be undone.
            </p>
            <ul className="j-prune-list" data-testid="prune-list">
              {doomed.map(({ id, run }) => (
                <li key={id}>
                  {run ? run.label : id}
                  {run && <span className="j-muted"> · {runFacts(run)}</span>}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </Modal>
  );
}
