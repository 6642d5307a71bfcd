// Browser mode's file dialog: the workspace's folders and project files (files:list), to open
// a project or to choose where to save one. Electron uses the native dialogs instead.

import { useCallback, useEffect, useState } from 'react';
import type { FileEntry, FileListing } from '../../../src-main/ipc/api';
import { PROJECT_EXTENSION } from '../../../src-main/shared/project';
import { withProjectExtension } from '../../store/project-slice';
import { errorMessage } from '../../store/ui-slice';
import { useAppStore } from '../../store/context';
import { Icon } from '../../ui/Icon';
import { Modal } from '../../ui/Modal';

/** A path inside a folder, with the folder's own separator. */
function joinPath(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString();
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function FileDialog({
  mode,
  suggestedName,
  resolve,
  onUpload,
}: {
  mode: 'open' | 'save';
  suggestedName: string;
  resolve: (path: string | null) => void;
  onUpload: () => void;
}) {
  const api = useAppStore((s) => s.api);
  const [listing, setListing] = useState<FileListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState(suggestedName);
  const [chosen, setChosen] = useState<FileEntry | null>(null);

  const load = useCallback(
    (dir: string | null) => {
      setError(null);
      api.filesList(dir, 'project').then(
        (l) => {
          setListing(l);
          setChosen(null);
        },
        (e: unknown) => setError(errorMessage(e)),
      );
    },
    [api],
  );
  // eslint-disable-next-line react-hooks/set-state-in-effect -- the listing is fetched on open
  useEffect(() => load(null), [load]);

  const files = listing?.entries.filter((e) => !e.isDirectory) ?? [];
  const target = mode === 'save' && name.trim() ? withProjectExtension(name.trim()) : null;
  const replaces = target !== null && files.some((f) => f.name === target);
  const canConfirm =
    listing !== null &&
    (mode === 'open' ? chosen !== null : target !== null && !/[\\/]/.test(name));

  const confirm = () => {
    if (!listing) return;
    if (mode === 'open' && chosen) resolve(chosen.path);
    else if (mode === 'save' && target) resolve(joinPath(listing.dir, target));
  };

  return (
    <Modal
      title={mode === 'open' ? 'Open project' : 'Save project as'}
      testId="file-dialog"
      onCancel={() => resolve(null)}
      wide
      footer={
        <>
          {mode === 'open' && (
            <button
              type="button"
              className="btn btn-secondary"
              data-testid="file-dialog-upload"
              title="Open a project file from this computer"
              onClick={() => {
                resolve(null);
                onUpload();
              }}
            >
              <Icon name="upload" /> Upload project…
            </button>
          )}
          <span className="spacer" />
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() => resolve(null)}
            data-testid="file-dialog-cancel"
          >
            Cancel
          </button>
          <button
            type="button"
            className={`btn ${replaces ? 'btn-danger' : 'btn-primary'}`}
            disabled={!canConfirm}
            data-testid="file-dialog-confirm"
            onClick={confirm}
          >
            {mode === 'open' ? 'Open' : replaces ? 'Replace' : 'Save'}
          </button>
        </>
      }
    >
      <div className="file-path">
        <button
          type="button"
          className="btn btn-ghost btn-icon"
          title="Up one folder"
          aria-label="Up one folder"
          data-testid="file-dialog-up"
          disabled={!listing?.parent}
          onClick={() => listing?.parent && load(listing.parent)}
        >
          <Icon name="up" />
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-icon"
          title="The workspace folder"
          aria-label="The workspace folder"
          data-testid="file-dialog-home"
          onClick={() => load(null)}
        >
          <Icon name="home" />
        </button>
        <span className="mono path" data-testid="file-dialog-dir" title={listing?.dir}>
          {listing?.dir ?? '…'}
        </span>
      </div>
      {error && (
        <p className="field-message" role="alert" data-testid="file-dialog-error">
          {error}
        </p>
      )}
      <ul className="file-list" role="listbox" aria-label="Files" data-testid="file-list">
        {listing && listing.entries.length === 0 && (
          <li className="empty-note">No folders or {PROJECT_EXTENSION} projects here.</li>
        )}
        {listing?.entries.map((entry) => (
          <li key={entry.path} role="option" aria-selected={chosen?.path === entry.path}>
            <button
              type="button"
              className={`file-entry${chosen?.path === entry.path ? ' is-chosen' : ''}`}
              data-testid={`file-entry-${entry.name}`}
              title={entry.path}
              onClick={() => {
                if (entry.isDirectory) load(entry.path);
                else if (mode === 'open') setChosen(entry);
                else setName(entry.name);
              }}
              onDoubleClick={() => {
                if (!entry.isDirectory && mode === 'open') resolve(entry.path);
              }}
            >
              <Icon name={entry.isDirectory ? 'folder' : 'file'} />
              <span className="file-name">{entry.name}</span>
              {!entry.isDirectory && (
                <span className="muted small">
                  {size(entry.size)} · {when(entry.modifiedAt)}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
      {mode === 'save' && (
        <div className="field">
          <label htmlFor="file-dialog-name">File name</label>
          <input
            id="file-dialog-name"
            type="text"
            value={name}
            data-autofocus
            data-testid="file-name"
            aria-label="File name"
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && canConfirm) confirm();
            }}
          />
          {replaces ? (
            <p className="field-message">A project with this name is here: saving replaces it.</p>
          ) : /[\\/]/.test(name) ? (
            <p className="field-message">A file name cannot contain / or \.</p>
          ) : (
            <p className="field-help">
              Saved as {target ?? `name${PROJECT_EXTENSION}`} in this folder.
            </p>
          )}
        </div>
      )}
    </Modal>
  );
}
