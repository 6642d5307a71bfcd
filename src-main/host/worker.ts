// The app's worker thread: runs one job (training or scoring) off the main thread. It receives
// the task, then possibly 'cancel'; it posts TaskMessages and exits when the task ends.

import { parentPort } from 'node:worker_threads';
import { runTask, type TaskInput, type TaskMessage } from './tasks';

const port = parentPort;
if (!port) throw new Error('host/worker.ts runs as a worker thread.');

const controller = new AbortController();
port.on('message', (message: { type: 'run'; task: TaskInput } | { type: 'cancel' }) => {
  if (message.type === 'cancel') {
    controller.abort();
    return;
  }
  void runTask(message.task, (m: TaskMessage) => port.postMessage(m), controller.signal).then(() =>
    port.close(),
  );
});
