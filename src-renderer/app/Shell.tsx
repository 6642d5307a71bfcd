// The app shell: top bar, the notice line, the active screen (Model: the editor; Data, Train and
// Results: the analyst's journey, features/{data,train,results} through ./tabs.tsx), the status
// bar, dialogs and toasts; and the window-level behaviour (title, close prompt, keys, clipboard,
// menu commands).

import { useRef } from 'react';
import { Editor } from '../features/editor/Editor';
import { DataTab, ResultsTab, TrainTab, TrySampleButton } from './tabs';
import { StatusBar } from '../features/editor/StatusBar';
import { Dialogs } from './dialogs/Dialogs';
import { useAppStore, useStoreApi } from '../store/context';
import {
  useBeforeUnload,
  useClipboardEvents,
  useDocumentTitle,
  useKeyboardShortcuts,
  useMenuCommands,
} from './hooks';
import { Icon } from '../ui/Icon';
import { Toasts } from './Toasts';
import { TopBar } from './TopBar';

export function Shell() {
  const store = useStoreApi();
  const status = useAppStore((s) => s.status);
  const startError = useAppStore((s) => s.startError);
  const tab = useAppStore((s) => s.tab);
  const upload = useRef<HTMLInputElement>(null);
  useDocumentTitle();
  useBeforeUnload(store);
  useKeyboardShortcuts(store);
  useClipboardEvents(store);
  useMenuCommands(store);

  const chooseUpload = () => upload.current?.click();

  if (status === 'loading') {
    return (
      <div className="app app-message" data-testid="app-loading">
        <p className="muted">Starting the engine…</p>
      </div>
    );
  }
  if (status === 'error') {
    return (
      <div className="app app-message" data-testid="app-error">
        <div className="empty-card">
          <h2>The engine did not start</h2>
          <p className="error-message" role="alert">
            <Icon name="error" size={18} />
            <span>{startError}</span>
          </p>
        </div>
      </div>
    );
  }
  return (
    <div className="app" data-testid="app">
      <TopBar onUpload={chooseUpload} />
      <Notice />
      <main className="workspace">
        {tab === 'model' && <Editor emptyAction={<TrySampleButton />} />}
        {tab === 'data' && <DataTab />}
        {tab === 'train' && <TrainTab />}
        {tab === 'results' && <ResultsTab />}
      </main>
      <StatusBar />
      <Dialogs onUpload={chooseUpload} />
      <Toasts />
      <input
        ref={upload}
        type="file"
        accept=".json,application/json"
        hidden
        data-testid="upload-input"
        aria-label="Upload a project file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void store.getState().uploadProject(file);
        }}
      />
    </div>
  );
}

function Notice() {
  const notice = useAppStore((s) => s.notice);
  const dismiss = useAppStore((s) => s.dismissNotice);
  if (!notice) return null;
  return (
    <div className="notice" role="status" data-testid="notice">
      <Icon name="info" />
      <span>{notice}</span>
      <button
        type="button"
        className="link"
        onClick={dismiss}
        title="Hide this message"
        data-testid="notice-dismiss"
      >
        Dismiss
      </button>
    </div>
  );
}
