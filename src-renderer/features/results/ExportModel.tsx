// Export a run's trained model: the app's model folder (to score, reload, compare) or ONNX for
// serving (with its preprocessing spec beside it). A save dialog in Electron; in browser mode a
// name in the workspace's models folder.

import { useEffect, useRef, useState } from 'react';
import type { RunSummary } from '../../../src-main/ipc/api';
import { joinPath, slug } from '../../ui/format';
import { useAppMode } from '../../ui/kit';
import { errorText, type ExportFormat, useJourney, useJourneyActions } from '../../store/journey';

export function ExportModel({ run }: { run: RunSummary }) {
  const journey = useJourneyActions();
  const mode = useAppMode();
  const info = useJourney((s) => s.info);
  const state = useJourney((s) => s.exports[run.id]);
  // The typed name belongs to the run it was typed for: opening another run suggests that
  // run's name again (an export never writes one run's model under another's name).
  const suggestedName = `${slug(run.label)}-model`;
  const [typed, setTyped] = useState<{ runId: string; name: string } | null>(null);
  const name = typed?.runId === run.id ? typed.name : suggestedName;
  const setName = (value: string) => setTyped({ runId: run.id, name: value });
  const [error, setError] = useState<string | null>(null);
  const busy = state?.status === 'busy';
  const onnxButton = useRef<HTMLButtonElement>(null);
  const onnxRequest = useJourney((s) => s.onnxRequest);
  useEffect(() => {
    if (onnxRequest === 0) return;
    onnxButton.current?.scrollIntoView?.({ block: 'center' });
    onnxButton.current?.focus();
  }, [onnxRequest]);

  const exportTo = async (format: ExportFormat) => {
    setError(null);
    try {
      let dest: string | null;
      const suggested = `${slug(run.label)}-model${format === 'onnx' ? '.onnx' : ''}`;
      if (mode === 'electron') {
        dest = await journey.api.dialogSaveFile('model', suggested);
      } else {
        const clean = name.trim().replace(/[\\/]+/g, '-');
        if (!clean) {
          setError('Give the model folder a name.');
          return;
        }
        const file = format === 'onnx' && !clean.endsWith('.onnx') ? `${clean}.onnx` : clean;
        dest = info ? joinPath(info.platform, info.workspace, 'models', file) : null;
      }
      if (dest) await journey.exportModel(run.id, dest, format);
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
        className="btn btn-secondary"
        disabled={!run.hasModel || busy || mode === null}
        onClick={() => void exportTo('folder')}
        title={
          run.hasModel
            ? 'Copy the trained model folder (weights, preprocessing, metrics) to a new folder'
            : 'This run kept no model'
        }
        data-testid="export-button"
      >
        {busy ? 'Exporting…' : mode === 'electron' ? 'Export model…' : 'Export model'}
      </button>
      <button
        type="button"
        className="btn btn-secondary"
        disabled={!run.hasModel || busy || mode === null}
        ref={onnxButton}
        onClick={() => void exportTo('onnx')}
        title={
          run.hasModel
            ? 'Write the trained network as an ONNX model (opset 17) for serving, with a ' +
              'preprocessing spec (vocabularies, buckets, scalers) beside it'
            : 'This run kept no model'
        }
        data-testid="export-onnx-button"
      >
        {mode === 'electron' ? 'Export ONNX…' : 'Export ONNX'}
      </button>
      {state?.status === 'done' && state.path && (
        <p className="j-success" role="status">
          Exported to <code data-testid="export-path">{state.path}</code>
          {state.preprocessing && (
            <>
              {' '}
              with its preprocessing spec{' '}
              <code data-testid="export-preprocessing">{state.preprocessing}</code>
            </>
          )}
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
