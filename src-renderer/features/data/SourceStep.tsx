// Step 1 of the import wizard: where the data comes from. The sample (one click to a trained
// model), the project's own CSV, a file picked in a dialog or uploaded, or one already in the
// workspace. Shows the import's progress with Cancel, and the host's message for a bad file.

import { useState } from 'react';
import { baseName, formatBytes, formatPercent } from '../../ui/format';
import { CsvPicker, ErrorBox, ProgressBar, type JourneyProps } from '../../ui/kit';
import { useJourney, useJourneyStore } from '../../store/journey';
import { SampleCard } from '../../ui/SampleCard';

export function SourceStep(props: JourneyProps) {
  const journeyStore = useJourneyStore();
  const journey = journeyStore.getState();
  const { project } = props;
  const importing = useJourney((s) => s.importing);
  const importError = useJourney((s) => s.importError);
  const importErrorTitle = useJourney((s) => s.importErrorTitle);
  const importNotice = useJourney((s) => s.importNotice);
  const preview = useJourney((s) => s.preview);
  const [uploads, setUploads] = useState(0);
  const [dragging, setDragging] = useState(false);
  const busy = importing.status !== 'idle';
  const current = project.data.tasks.length > 0 ? project.data : null;
  const source = project.data.source;

  const importPath = (path: string) => void journey.importFile(path, current);
  const upload = async (file: File) => {
    await journey.uploadAndImport(file, current);
    setUploads((n) => n + 1);
  };

  return (
    <div className="j-source">
      <SampleCard {...props} />
      <section
        className={dragging ? 'j-panel j-drop j-dragging' : 'j-panel j-drop'}
        aria-labelledby="j-source-title"
        data-testid="import-drop"
        onDragOver={(e) => {
          if (busy || !e.dataTransfer.types.includes('Files')) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          const file = e.dataTransfer.files[0];
          setDragging(false);
          if (!file || busy) return;
          e.preventDefault();
          if (journey.uploads()) void upload(file);
          else
            journeyStore.setState({
              importNotice: 'Use "Choose a CSV file…" to open a file in the desktop app.',
            });
        }}
      >
        <h3 id="j-source-title">Your data</h3>
        <p className="j-muted">
          A CSV file with one row per visit or impression: feature columns and the funnel&apos;s
          target columns (e.g. click, purchase, amount). Comma, semicolon or tab separated; gzip is
          fine. You can also drop a file here.
        </p>
        {source && (
          <div className="j-current-source">
            <span>
              This project&apos;s data: <strong title={source}>{baseName(source)}</strong>
            </span>
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() => importPath(source)}
              disabled={busy}
              title={`Read ${source} again and review its columns`}
              data-testid="reimport-source"
            >
              Review its columns
            </button>
          </div>
        )}
        <CsvPicker
          onPath={importPath}
          onFile={(f) => void upload(f)}
          disabled={busy}
          testId="import-picker"
          refreshKey={uploads}
          action="Import"
        />
        <div className="j-slot" aria-live="polite">
          {importing.status === 'uploading' && (
            <ProgressBar
              value={importing.total > 0 ? importing.sent / importing.total : null}
              label={`Uploading ${importing.name}`}
              detail={
                importing.total > 0
                  ? `${formatBytes(importing.sent)} of ${formatBytes(importing.total)} · ${formatPercent(importing.sent / importing.total, 0)}`
                  : 'starting…'
              }
              testId="import-progress"
            />
          )}
          {importing.status === 'importing' && (
            <div className="j-row">
              <ProgressBar
                value={importing.total > 0 ? importing.done / importing.total : null}
                label={`Reading ${importing.name}`}
                detail={
                  importing.total > 0
                    ? `${formatBytes(importing.done)} of ${formatBytes(importing.total)} · ${formatPercent(importing.done / importing.total, 0)}`
                    : 'starting…'
                }
                testId="import-progress"
              />
              <button
                type="button"
                className="btn btn-secondary"
                onClick={() => void journey.cancelImport()}
                title="Stop reading this file"
                aria-label="Cancel import"
                data-testid="import-cancel"
              >
                Cancel
              </button>
            </div>
          )}
          {importNotice && !busy && <p className="j-muted">{importNotice}</p>}
        </div>
        {importError && (
          <ErrorBox
            title={importErrorTitle ?? 'The file could not be read.'}
            message={importError}
            onDismiss={() => journeyStore.setState({ importError: null })}
            testId="import-error"
          />
        )}
        {preview && !busy && (
          <div className="j-row j-continue">
            <span className="j-muted">
              Last read: <strong>{preview.name}</strong> ({preview.rows.toLocaleString('en-US')}{' '}
              rows)
            </span>
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() => journey.setStep('columns')}
              title={`Go on with ${preview.name}`}
              data-testid="continue-preview"
            >
              Continue with {preview.name}
            </button>
          </div>
        )}
      </section>
    </div>
  );
}
