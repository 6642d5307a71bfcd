// Small building blocks the journey's screens share: progress bars, error and empty states,
// segmented tabs, and the file pickers (native dialog in Electron; upload and the workspace's
// files in browser mode).

import { useEffect, useId, useState, type ReactNode } from 'react';
import type { FileEntry, FileKind, FileListing } from '../../src-main/ipc/api';
import type { ProjectFile } from '../../src-main/shared/project';
import { formatBytes, formatTime } from './format';
import { errorText, useJourney, useJourneyActions } from '../store/journey';

/** What the app shell passes to every journey screen. */
export interface JourneyProps {
  /** The project being edited (the editor's current project). */
  project: ProjectFile;
  /** Replaces the project: a new data binding, training settings, the sample's template. */
  onProjectChange: (next: ProjectFile) => void;
  /** Switches the app's tab. */
  onNavigate?: (screen: JourneyTab) => void;
  /** Shows blocks in the model editor (problems are pinned to blocks). */
  onShowBlocks?: (blockIds: string[]) => void;
}

type JourneyTab = 'model' | 'data' | 'train' | 'results';

export function ProgressBar({
  value,
  label,
  detail,
  testId,
}: {
  /** 0..1, or null while the total is unknown. */
  value: number | null;
  label: string;
  detail?: ReactNode;
  testId?: string;
}) {
  const pct = value === null ? null : Math.round(Math.max(0, Math.min(1, value)) * 1000) / 10;
  return (
    <div className="j-progress" data-testid={testId}>
      <div className="j-progress-text">
        <span>{label}</span>
        <span className="j-progress-detail">{detail}</span>
      </div>
      <div
        className={`j-progress-track${pct === null ? ' j-indeterminate' : ''}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
        data-value={pct ?? ''}
      >
        <div className="j-progress-fill" style={{ width: pct === null ? '30%' : `${pct}%` }} />
      </div>
    </div>
  );
}

export function ErrorBox({
  title,
  message,
  onDismiss,
  testId,
}: {
  title?: string;
  message: string;
  onDismiss?: () => void;
  testId?: string;
}) {
  return (
    <div className="j-error" role="alert" data-testid={testId}>
      <div>
        {title && <strong>{title} </strong>}
        <span className="j-error-message">{message}</span>
      </div>
      {onDismiss && (
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={onDismiss}
          title="Hide this message"
          aria-label="Dismiss message"
        >
          Dismiss
        </button>
      )}
    </div>
  );
}

export function EmptyState({
  title,
  children,
  testId,
}: {
  title: string;
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="j-empty" data-testid={testId}>
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export function Tabs<T extends string>({
  label,
  value,
  options,
  onChange,
  testId,
}: {
  label: string;
  value: T;
  options: { value: T; label: string; title: string; disabled?: boolean; badge?: ReactNode }[];
  onChange: (value: T) => void;
  testId?: string;
}) {
  return (
    <div className="j-tabs" role="tablist" aria-label={label} data-testid={testId}>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          role="tab"
          aria-selected={o.value === value}
          className={o.value === value ? 'j-tab j-tab-active' : 'j-tab'}
          onClick={() => onChange(o.value)}
          disabled={o.disabled}
          title={o.title}
          data-testid={testId ? `${testId}-${o.value}` : undefined}
        >
          {o.label}
          {o.badge !== undefined && <span className="j-tab-badge">{o.badge}</span>}
        </button>
      ))}
    </div>
  );
}

/** A labelled form field. */
export function Field({
  label,
  help,
  children,
  wide,
}: {
  label: string;
  help?: string;
  children: ReactNode;
  wide?: boolean;
}) {
  return (
    <label className={wide ? 'j-field j-field-wide' : 'j-field'} title={help}>
      <span className="j-field-label">{label}</span>
      {children}
    </label>
  );
}

export function useAppMode(): 'electron' | 'browser' | null {
  return useJourney((s) => s.info?.mode ?? null);
}

/**
 * The workspace's files of a kind (browser mode's file browser): folders to open, files (or,
 * for models, folders) to pick.
 */
export function WorkspaceFiles({
  kind,
  onPick,
  disabled,
  testId,
  refreshKey,
}: {
  kind: FileKind;
  onPick: (path: string, entry: FileEntry) => void;
  disabled?: boolean;
  testId?: string;
  /** Changing it reloads the listing (e.g. after an upload). */
  refreshKey?: unknown;
}) {
  const journey = useJourneyActions();
  const [dir, setDir] = useState<string | null>(null);
  const [listing, setListing] = useState<FileListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    journey.api.filesList(dir, kind).then(
      (l) => {
        if (live) {
          setListing(l);
          setError(null);
        }
      },
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [dir, kind, refreshKey, journey.api]);
  const what = kind === 'model' ? 'model folders' : 'CSV files';
  return (
    <div className="j-files" data-testid={testId}>
      <div className="j-files-head">
        <span className="j-files-dir" title={listing?.dir}>
          {listing ? listing.dir : 'Workspace'}
        </span>
        {listing?.parent && (
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() => setDir(listing.parent)}
            title="Go up one folder"
            aria-label="Parent folder"
            disabled={disabled}
          >
            Up
          </button>
        )}
      </div>
      {error && <p className="j-inline-error">{error}</p>}
      {listing && listing.entries.length === 0 && (
        <p className="j-muted j-files-empty">No {what} here yet.</p>
      )}
      <ul className="j-file-list">
        {listing?.entries.map((e) => (
          <li
            key={e.path}
            className="j-file-row"
            data-testid={testId ? `${testId}-entry` : undefined}
          >
            {e.isDirectory ? (
              <button
                type="button"
                className="j-file-open"
                onClick={() => setDir(e.path)}
                title={`Open the folder ${e.name}`}
                aria-label={`Open folder ${e.name}`}
                disabled={disabled}
              >
                <span className="j-file-icon" aria-hidden="true">
                  ▸
                </span>
                {e.name}
              </button>
            ) : (
              <span className="j-file-name" title={e.path}>
                {e.name}
              </span>
            )}
            <span className="j-muted j-file-meta">
              {e.isDirectory ? 'folder' : formatBytes(e.size)} · {formatTime(e.modifiedAt)}
            </span>
            {(!e.isDirectory || kind === 'model') && (
              <button
                type="button"
                className="btn btn-secondary btn-sm"
                onClick={() => onPick(e.path, e)}
                disabled={disabled}
                title={e.isDirectory ? `Use the model in ${e.name}` : `Use ${e.name}`}
                aria-label={`Use ${e.name}`}
                data-testid={testId ? `${testId}-use` : undefined}
                data-name={e.name}
              >
                Use
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Picks a CSV: the native dialog in Electron; in browser mode an upload (<input type=file>)
 * and the workspace's CSV files. Calls onPath with a host path, or onFile with a picked file
 * (browser mode, to upload).
 */
export function CsvPicker({
  onPath,
  onFile,
  disabled,
  testId,
  refreshKey,
  action = 'Use',
}: {
  onPath: (path: string) => void;
  onFile: (file: File) => void;
  disabled?: boolean;
  testId: string;
  refreshKey?: unknown;
  action?: string;
}) {
  const journey = useJourneyActions();
  const mode = useAppMode();
  const inputId = useId();
  const [error, setError] = useState<string | null>(null);
  const openDialog = async () => {
    setError(null);
    try {
      const path = await journey.api.dialogOpenFile('csv');
      if (path) onPath(path);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div className="j-picker" data-testid={testId}>
      <div className="j-picker-actions">
        {mode === 'electron' ? (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => void openDialog()}
            disabled={disabled}
            title="Choose a CSV file on this computer"
            aria-label="Choose a CSV file"
            data-testid={`${testId}-choose`}
          >
            Choose a CSV file…
          </button>
        ) : (
          <>
            <label
              htmlFor={inputId}
              className={`btn btn-primary${disabled ? ' is-disabled' : ''}`}
              title="Upload a CSV file from this computer to the workspace"
            >
              Upload a CSV file…
            </label>
            <input
              id={inputId}
              className="j-visually-hidden"
              type="file"
              accept=".csv,.tsv,.txt,.gz,text/csv"
              disabled={disabled}
              aria-label="CSV file to upload"
              title="A CSV file (comma, semicolon or tab separated; may be gzip-compressed)"
              data-testid={`${testId}-input`}
              onChange={(e) => {
                const file = e.currentTarget.files?.[0];
                e.currentTarget.value = '';
                if (file) onFile(file);
              }}
            />
          </>
        )}
      </div>
      {error && <p className="j-inline-error">{error}</p>}
      <details className="j-workspace" open={mode === 'browser'}>
        <summary title="CSV files already in the workspace">
          {action} a file from the workspace
        </summary>
        <WorkspaceFiles
          kind="csv"
          onPick={(path) => onPath(path)}
          disabled={disabled}
          testId={`${testId}-files`}
          refreshKey={refreshKey}
        />
      </details>
    </div>
  );
}
