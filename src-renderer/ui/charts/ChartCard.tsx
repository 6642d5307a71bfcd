// A chart's card: title, an optional note, the chart and its "Save PNG" button.

import { useRef, useState, type ReactNode } from 'react';
import { READING_SUMMARY, type Reading } from '../readings';
import { pngName, saveChartPng } from './png';
import { errorText } from '../../store/journey';

export function ChartCard({
  title,
  note,
  help,
  testId,
  fileName,
  reading,
  children,
}: {
  title: string;
  /** A short line under the title (e.g. "AUC 0.7149"). */
  note?: ReactNode;
  /** What the chart shows, as the title's tooltip. */
  help?: string;
  testId?: string;
  /** The PNG's file name; defaults to the title's slug. */
  fileName?: string;
  /** How to read the chart and what good looks like (shown under it). */
  reading?: Reading;
  children: ReactNode;
}) {
  const ref = useRef<HTMLElement>(null);
  const [error, setError] = useState<string | null>(null);
  const save = () => {
    const svg = ref.current?.querySelector<SVGSVGElement>('svg.jc-chart');
    if (!svg) return;
    setError(null);
    const noteText = ref.current?.querySelector('.j-chart-note')?.textContent?.trim();
    const caption = noteText ? `${title} — ${noteText}` : title;
    saveChartPng(svg, fileName ?? pngName(title), caption).catch((e: unknown) =>
      setError(errorText(e)),
    );
  };
  return (
    <figure className="j-chart-card" ref={ref} data-testid={testId}>
      <figcaption>
        <span className="j-chart-title" title={help}>
          {title}
        </span>
        {/* Always there (empty or not), so a note arriving later moves nothing. */}
        <span className="j-chart-note">{note}</span>
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={save}
          title={`Save "${title}" as a PNG image`}
          aria-label={`Save ${title} as PNG`}
          data-testid={testId ? `${testId}-png` : undefined}
        >
          Save PNG
        </button>
      </figcaption>
      {children}
      {reading && (
        <ReadingNote reading={reading} testId={testId ? `${testId}-reading` : undefined} />
      )}
      {error && (
        <p className="j-inline-error" role="alert">
          {error}
        </p>
      )}
    </figure>
  );
}

/** "Good: …" always in view, then "How to read this" on demand. */
export function ReadingNote({ reading, testId }: { reading: Reading; testId?: string }) {
  return (
    <div className="j-reading" data-testid={testId}>
      <p className="j-reading-good">{reading.good}</p>
      <details>
        <summary>{READING_SUMMARY}</summary>
        <p>{reading.how}</p>
      </details>
    </div>
  );
}
