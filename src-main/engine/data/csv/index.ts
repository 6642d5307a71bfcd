// The CSV reader's public face: the rest of the engine, the host and the CLI import
// `engine/data/csv` and never a file inside this folder.

export * from './reader';
