// Export a run's trained model folder: a save dialog in Electron; in browser mode a folder name
// in the workspace's models folder.

import { useState } from 'react';
import type { RunSummary } from '../../../src-main/ipc/api';
import { journeyApi as api } from '../host';
import { joinPath, slug } from '../format';
import { errorText, exportModel, useJourney } from '../store';
import { useAppMode } from '../ui';

export function ExportModel({ run }: { run: RunSummary }) {
  const mode = useAppMode();
  const info = useJourney((s) => s.info);
  const state = useJourney((s) => s.exports[run.id]);
  const [name, setName] = useState(`${slug(run.label)}-model`);
  const [error, setError] = useState<string | null>(null);
  const busy = state?.status === 'busy';

  const exportTo = async () => {
    setError(null);
    try {
      let dest: string | null;
      if (mode === 'electron') {
        dest = await api().dialogSaveFile('model', `${slug(run.label)}-model`);
      } else {
        const clean = name.trim().replace(/[\\/]+/g, '-');
        if (!clean) {
          setError('Give the model folder a name.');
          return;
        }
        dest = info ? joinPath(info.platform, info.workspace, 'models', clean) : null;
      }
      if (dest) await exportModel(run.id, dest);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div className="j-export" data-testid="export-model">
      {mode !== 'electron' && (
        <input
          type="text"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          disabled={!run.hasModel || busy}
          aria-label="Model folder name"
          title="The folder created in the workspace's models folder"
          data-testid="export-name"
        />
      )}
      <button
        type="button"
        className="j-btn"
        disabled={!run.hasModel || busy || mode === null}
        onClick={() => void exportTo()}
        title={
          run.hasModel
            ? 'Copy the trained model folder (weights, preprocessing, metrics) to a new folder'
            : 'This run kept no model'
        }
        data-testid="export-button"
      >
        {busy ? 'Exporting…' : mode === 'electron' ? 'Export model…' : 'Export model'}
      </button>
      {state?.status === 'done' && state.path && (
        <p className="j-success" role="status">
          Exported to <code data-testid="export-path">{state.path}</code>
        </p>
      )}
      {(error || state?.status === 'failed') && (
        <p className="j-inline-error" role="alert" data-testid="export-error">
          {error ?? state?.error}
        </p>
      )}
    </div>
  );
}
