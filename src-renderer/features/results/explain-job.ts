// The explanation of a run as the Explain panel follows it: the one kept with the run
// (explain:get), an explain job started for it (explain:start) with its progress, stop and
// failure, and the host events of that job (those that arrive before its id is known are kept
// and replayed, as the journey store does for its jobs).

import { useCallback, useEffect, useRef, useState } from 'react';
import type { HostEvent } from '../../../src-main/ipc/api';
import type { Explanation, ExplainPart, FeatureGroup } from '../../../src-main/shared/explain';
import { errorText, useJourneyActions } from '../../store/journey';

export interface Job {
  jobId: string | null;
  what: string;
  stage: string;
  done: number;
  total: number;
}

/** What explain:start is asked for, beyond the run and the number of shuffles. */
export interface ExplainRequest {
  parts?: ExplainPart[];
  explainRows?: number[];
  dataPath?: string;
  subset?: 'test' | 'all';
  regressionMetric?: 'gini-drop' | 'rmse-rise';
  groups?: FeatureGroup[];
}

/** `onDone` is told when a new explanation arrives (the panel shows its first row). */
export function useExplainJob(runId: string, repeats: number, onDone: (row: 0) => void) {
  const journey = useJourneyActions();
  const [explanation, setExplanation] = useState<Explanation | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  const jobRef = useRef<Job | null>(null);
  const early = useRef<HostEvent[]>([]);

  useEffect(() => {
    let live = true;
    // eslint-disable-next-line react-hooks/set-state-in-effect -- reset, then fetch the run's
    setExplanation(null);
    setError(null);
    journey.api
      .explainGet(runId)
      .then((e) => live && setExplanation(e))
      // Nothing kept, or a file that cannot be read: the run simply has no explanation yet.
      .catch(() => live && setExplanation(null));
    return () => {
      live = false;
    };
  }, [runId, journey.api]);

  const onEvent = useCallback((event: HostEvent) => {
    const current = jobRef.current;
    if (!current) return;
    if (!('jobId' in event)) return;
    if (current.jobId === null) {
      // Our invoke has not returned the job's id yet: keep the event for a moment.
      if (early.current.length < 200) early.current.push(event);
      return;
    }
    if (event.jobId !== current.jobId) return;
    if (event.type === 'job:progress') {
      const next = { ...current, stage: event.stage, done: event.done, total: event.total };
      jobRef.current = next;
      setJob(next);
    } else if (event.type === 'explain:done') {
      jobRef.current = null;
      setJob(null);
      setExplanation(event.explanation);
      onDone(0);
    } else if (event.type === 'job:failed') {
      jobRef.current = null;
      setJob(null);
      setError(event.error);
    } else if (event.type === 'job:cancelled') {
      jobRef.current = null;
      setJob(null);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- onDone is read when the job ends, not a trigger
  }, []);

  useEffect(() => {
    let off: (() => void) | null = null;
    try {
      off = journey.api.onHostEvent(onEvent);
    } catch {
      off = null;
    }
    return () => off?.();
  }, [onEvent, journey.api]);

  const start = async (what: string, request: ExplainRequest) => {
    setError(null);
    const pending: Job = { jobId: null, what, stage: 'reading', done: 0, total: 0 };
    jobRef.current = pending;
    early.current = [];
    setJob(pending);
    try {
      const { jobId } = await journey.api.explainStart({
        source: { runId },
        repeats,
        ...request,
      });
      const started = { ...(jobRef.current ?? pending), jobId };
      jobRef.current = started;
      setJob(started);
      const waiting = early.current;
      early.current = [];
      for (const e of waiting) onEvent(e);
    } catch (e) {
      jobRef.current = null;
      setJob(null);
      setError(errorText(e));
    }
  };

  const cancel = () => {
    const id = jobRef.current?.jobId;
    if (id) void journey.api.jobCancel(id);
  };

  return { explanation, job, error, setError, start, cancel };
}
