// A modal question with a destructive choice on the left and the others on the right, the last
// of them the default (primary): "Discard changes | Cancel, Save", "Replace | Cancel",
// "Discard | Restore". One layout for the app's and the features' questions.

import type { ReactNode } from 'react';
import { Modal } from './Modal';

export interface Choice {
  label: string;
  testId: string;
  onClick: () => void;
  title?: string;
}

export function ChoiceDialog({
  title,
  testId,
  onCancel,
  destructive,
  choices,
  children,
}: {
  title: string;
  testId: string;
  /** Escape and the close button; omit for a question that needs an answer. */
  onCancel?: () => void;
  /** The choice that loses something, set apart on the left. */
  destructive: Choice;
  /** The other choices, left to right; the last is the default. */
  choices: Choice[];
  children: ReactNode;
}) {
  return (
    <Modal
      title={title}
      testId={testId}
      onCancel={onCancel}
      footer={
        <>
          <button
            type="button"
            className="btn btn-danger"
            data-testid={destructive.testId}
            title={destructive.title}
            onClick={destructive.onClick}
          >
            {destructive.label}
          </button>
          <span className="spacer" />
          {choices.map((c, i) => (
            <button
              key={c.testId}
              type="button"
              className={i === choices.length - 1 ? 'btn btn-primary' : 'btn btn-secondary'}
              data-testid={c.testId}
              title={c.title}
              onClick={c.onClick}
            >
              {c.label}
            </button>
          ))}
        </>
      }
    >
      {children}
    </Modal>
  );
}
