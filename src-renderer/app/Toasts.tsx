// Short messages at the bottom right: confirmations fade after a few seconds, errors stay a
// little longer; each can be closed.

import { useEffect } from 'react';
import type { Toast } from '../store/types';
import { useAppStore } from '../store/context';
import { Icon } from '../ui/Icon';

const LIFETIME: Record<Toast['kind'], number> = { info: 5000, success: 4000, error: 9000 };

export function Toasts() {
  const toasts = useAppStore((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => (
        <ToastView key={t.id} toast={t} />
      ))}
    </div>
  );
}

function ToastView({ toast }: { toast: Toast }) {
  const dismiss = useAppStore((s) => s.dismissToast);
  useEffect(() => {
    const timer = setTimeout(() => dismiss(toast.id), LIFETIME[toast.kind]);
    return () => clearTimeout(timer);
  }, [dismiss, toast]);
  return (
    <div
      className={`toast is-${toast.kind}`}
      role={toast.kind === 'error' ? 'alert' : 'status'}
      data-testid="toast"
      data-kind={toast.kind}
    >
      <Icon name={toast.kind === 'error' ? 'error' : toast.kind === 'success' ? 'ok' : 'info'} />
      <span>{toast.message}</span>
      <button
        type="button"
        className="btn btn-ghost btn-icon btn-sm"
        aria-label="Dismiss"
        title="Dismiss"
        onClick={() => dismiss(toast.id)}
      >
        ×
      </button>
    </div>
  );
}
