// The dialog the store asks for, if any: templates, files, unsaved changes, recovery, errors,
// about.

import type { Recovery } from '../../../src-main/ipc/api';
import type { DocumentChoice } from '../../store/types';
import { useAppStore } from '../../store/context';
import { Icon } from '../../ui/Icon';
import { FileDialog } from './FileDialog';
import { ChoiceDialog } from '../../ui/ChoiceDialog';
import { Modal } from '../../ui/Modal';
import { TemplateGallery } from './TemplateGallery';

export function Dialogs({ onUpload }: { onUpload: () => void }) {
  const dialog = useAppStore((s) => s.dialog);
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'templates':
      return <TemplateGallery />;
    case 'file':
      return (
        <FileDialog
          mode={dialog.mode}
          suggestedName={dialog.suggestedName}
          resolve={dialog.resolve}
          onUpload={onUpload}
        />
      );
    case 'confirm':
      return (
        <ConfirmDialog title={dialog.title} message={dialog.message} resolve={dialog.resolve} />
      );
    case 'recovery':
      return <RecoveryDialog recovery={dialog.recovery} />;
    case 'error':
      return <ErrorDialog title={dialog.title} message={dialog.message} />;
    case 'about':
      return <AboutDialog />;
  }
}

function ConfirmDialog({
  title,
  message,
  resolve,
}: {
  title: string;
  message: string;
  resolve: (choice: DocumentChoice) => void;
}) {
  return (
    <ChoiceDialog
      title={title}
      testId="confirm-dialog"
      onCancel={() => resolve('cancel')}
      destructive={{
        label: 'Discard changes',
        testId: 'confirm-discard',
        onClick: () => resolve('discard'),
      }}
      choices={[
        { label: 'Cancel', testId: 'confirm-cancel', onClick: () => resolve('cancel') },
        { label: 'Save', testId: 'confirm-save', onClick: () => resolve('save') },
      ]}
    >
      <p>{message}</p>
    </ChoiceDialog>
  );
}

function RecoveryDialog({ recovery }: { recovery: Recovery }) {
  const restore = useAppStore((s) => s.restoreRecovery);
  const discard = useAppStore((s) => s.discardRecovery);
  const blocks = recovery.project.graph.blocks.length;
  const saved = new Date(recovery.savedAt);
  return (
    <ChoiceDialog
      title="Recover unsaved work?"
      testId="recovery-dialog"
      destructive={{ label: 'Discard', testId: 'recovery-discard', onClick: () => void discard() }}
      choices={[{ label: 'Restore', testId: 'recovery-restore', onClick: () => restore(recovery) }]}
    >
      <p>
        HTLNet Studio closed before the changes to <strong>{recovery.name}</strong> were saved. They
        were kept{Number.isNaN(saved.getTime()) ? '' : ` at ${saved.toLocaleString()}`}.
      </p>
      <p className="muted">
        {blocks} block{blocks === 1 ? '' : 's'}
        {recovery.path ? ` · belongs to ${recovery.path}` : ' · never saved to a file'}
      </p>
      <p>Restore them to keep working, or discard them for good.</p>
    </ChoiceDialog>
  );
}

function ErrorDialog({ title, message }: { title: string; message: string }) {
  const close = useAppStore((s) => s.closeDialog);
  return (
    <Modal
      title={title}
      testId="error-dialog"
      onCancel={close}
      footer={
        <button
          type="button"
          className="btn btn-primary"
          onClick={close}
          data-testid="error-dialog-ok"
        >
          OK
        </button>
      }
    >
      <p className="error-message" role="alert" data-testid="error-message">
        <Icon name="error" size={18} />
        <span>{message}</span>
      </p>
      <p className="muted small">Nothing was changed: your work is as it was.</p>
    </Modal>
  );
}

function AboutDialog() {
  const close = useAppStore((s) => s.closeDialog);
  const info = useAppStore((s) => s.info);
  return (
    <Modal
      title="HTLNet Studio"
      testId="about-dialog"
      onCancel={close}
      footer={
        <button type="button" className="btn btn-primary" onClick={close}>
          Close
        </button>
      }
    >
      <p>Build, train and export multi-task hybrid-target recommendation models visually.</p>
      {info && (
        <dl className="facts">
          <dt>Version</dt>
          <dd>{info.version}</dd>
          <dt>Compute backend</dt>
          <dd>{info.backend ?? 'none'}</dd>
          <dt>Mode</dt>
          <dd>{info.mode === 'electron' ? 'desktop app' : 'browser'}</dd>
          <dt>Workspace</dt>
          <dd className="mono">{info.workspace}</dd>
        </dl>
      )}
    </Modal>
  );
}
