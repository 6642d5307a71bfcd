// A modal dialog: an overlay, a titled panel, Escape to cancel, the focus moved into it and
// given back afterwards.

import { useEffect, useId, useRef, type ReactNode } from 'react';

export function Modal({
  title,
  testId,
  onCancel,
  children,
  footer,
  wide,
}: {
  title: string;
  testId: string;
  /** Escape and the close button; omit for a dialog that needs an answer. */
  onCancel?: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  const titleId = useId();
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const first = panel.current?.querySelector<HTMLElement>(
      '[data-autofocus], input, button.primary, button',
    );
    first?.focus();
    return () => previous?.focus?.();
  }, []);

  return (
    <div
      className="modal-overlay"
      onPointerDown={(e) => e.target === e.currentTarget && onCancel?.()}
    >
      <div
        ref={panel}
        className={`modal${wide ? ' is-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && onCancel) {
            e.stopPropagation();
            onCancel();
          }
        }}
      >
        <header className="modal-header">
          <h2 id={titleId}>{title}</h2>
          {onCancel && (
            <button
              type="button"
              className="btn btn-ghost btn-icon"
              aria-label="Close"
              title="Close (Esc)"
              onClick={onCancel}
              data-testid={`${testId}-close`}
            >
              ×
            </button>
          )}
        </header>
        <div className="modal-body">{children}</div>
        {footer && <footer className="modal-footer">{footer}</footer>}
      </div>
    </div>
  );
}
