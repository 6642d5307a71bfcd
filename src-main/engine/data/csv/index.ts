// Streaming CSV import into a columnar table, split along its seams: reader.ts (files, gzip,
// buffers) feeds tokenizer.ts (records and fields), which sniffs the format (sniffing.ts),
// parses numbers and missing values (numbers.ts), keeps text in byte dictionaries
// (dictionary.ts), builds the columns (columns.ts) and infers their kinds (kinds.ts); bytes.ts
// scans raw bytes. The rest of the engine, the host and the CLI import this file only.

export { parseTableFromBuffer, readTable, type ReadOptions } from './reader';
export { formatSeven, parseNumberText } from './numbers';
