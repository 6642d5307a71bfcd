// Step 1 of the import wizard: where the data comes from. The sample (one click to a trained
// model), the project's own CSV, a file picked in a dialog or uploaded, or one already in the
// workspace. Shows the import's progress with Cancel, and the host's message for a bad file.

import { useState } from 'react';
import type { ProjectFile } from '../../../src-main/shared/project';
import { baseName, formatBytes, formatPercent } from '../format';
import {
  cancelImport,
  importFile,
  SAMPLE_EPOCHS,
  SAMPLE_ROWS,
  setStep,
  trySample,
  uploadAndImport,
  useJourney,
  type SampleStep,
} from '../store';
import { journeyUploads } from '../host';
import { CsvPicker, ErrorBox, ProgressBar, type JourneyProps } from '../ui';

const SAMPLE_STEPS: Record<SampleStep, string> = {
  sample: 'Writing the sample dataset…',
  import: 'Reading the sample…',
  template: 'Building the HTLNet model…',
  train: 'Starting training…',
};

function hasModel(project: ProjectFile): boolean {
  return project.graph.blocks.length > 0;
}

export function SampleCard({ project, onProjectChange, onNavigate }: JourneyProps) {
  const sample = useJourney((s) => s.sample);
  const busy = useJourney((s) => s.importing.status !== 'idle');
  const [confirming, setConfirming] = useState(false);
  const running = sample !== null && sample.step !== 'failed';
  const go = () => {
    setConfirming(false);
    void trySample((next) => {
      onProjectChange(next);
      onNavigate?.('train');
    });
  };
  return (
    <section className="j-sample" aria-labelledby="j-sample-title" data-testid="sample-card">
      <div>
        <h3 id="j-sample-title">New here? Train a model in a minute</h3>
        <p className="j-muted">
          A built-in dataset of {SAMPLE_ROWS.toLocaleString('en-US')} visits (click → purchase →
          amount) and the HTLNet model, trained for {SAMPLE_EPOCHS} epochs. Nothing to set up.
        </p>
        {running && (
          <p className="j-sample-step" role="status" data-testid="sample-step">
            {SAMPLE_STEPS[sample.step as SampleStep]}
          </p>
        )}
        {sample?.step === 'failed' && sample.error && (
          <ErrorBox title="The sample could not start:" message={sample.error} />
        )}
        {confirming && (
          <div className="j-confirm" role="alertdialog" aria-label="Replace the model?">
            <p>
              The sample uses the HTLNet template, which replaces the model on the canvas (undo in
              the Model tab brings it back).
            </p>
            <button
              type="button"
              className="btn btn-primary"
              onClick={go}
              title="Replace the model with the HTLNet template and train it on the sample"
              data-testid="sample-confirm"
            >
              Replace and train
            </button>
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() => setConfirming(false)}
              title="Keep the current model"
            >
              Cancel
            </button>
          </div>
        )}
      </div>
      <button
        type="button"
        className="btn btn-primary btn-lg"
        disabled={running || busy}
        onClick={() => (hasModel(project) ? setConfirming(true) : go())}
        title="Writes the sample CSV to the workspace, imports it, builds the HTLNet template and trains it"
        data-testid="try-sample"
      >
        Try the sample: HTLNet on a 100k-row funnel
      </button>
    </section>
  );
}

export function SourceStep(props: JourneyProps) {
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

  const importPath = (path: string) => void importFile(path, current);
  const upload = async (file: File) => {
    await uploadAndImport(file, current);
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
          if (journeyUploads()) void upload(file);
          else
            useJourney.setState({
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
                onClick={() => void cancelImport()}
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
            onDismiss={() => useJourney.setState({ importError: null })}
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
              onClick={() => setStep('columns')}
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
