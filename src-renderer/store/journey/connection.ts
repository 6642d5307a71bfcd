// Every journey screen subscribes the store to the host's events on mount (once per app; the
// subscription then lives as long as the window, so events keep arriving on any tab).

import { useEffect } from 'react';
import { connectJourney } from './store';

export function useJourneyConnection(): void {
  useEffect(() => {
    connectJourney();
  }, []);
}
