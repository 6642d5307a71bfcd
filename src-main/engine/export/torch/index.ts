// PyTorch: a training package for clusters (package.ts, job.ts, python/) and the import of what it
// trained back into an app model (import.ts).

export { exportTorchJob, exportTorchJobFromProject } from './package';
export type { TorchJobOptions, TorchJobProjectOptions, TorchJobResult } from './package';
export { buildTorchJob, TORCH_JOB_FORMAT, TORCH_JOB_VERSION } from './job';
export type { TorchJob } from './job';
export { importTorchModel, TORCH_EXPORT_FORMAT, TORCH_EXPORT_VERSION } from './import';
export type { TorchImportOptions, TorchImportResult } from './import';
