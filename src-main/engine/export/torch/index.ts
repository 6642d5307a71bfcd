// PyTorch: a training package for clusters (package.ts, job.ts, python/) and the import of what it
// trained back into an app model (import.ts).

export { exportTorchJob, exportTorchJobFromProject } from './package';
export { importTorchModel } from './import';
