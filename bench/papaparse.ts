// The ingest comparison's other side, for `npm run bench` (its `--papaparse FILE` child mode):
// papaparse 5 on the same CSV file as our reader, from the first byte read to columnar data in
// memory (fs.readFileSync, then Papa.parse on the string with header false, dynamicTyping false,
// skipEmptyLines, fastMode when the file has no quote; each row into per-column arrays: numbers
// into a Float64Array, other text into a Map dictionary), with one result array and with the
// chunk callback; the faster is reported.

import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import papaparsePackage from 'papaparse/package.json';
import { log } from './script';

/** Times papaparse on a file (both modes) and prints the faster as one JSON line. */
export function runPapaparse(file: string): void {
  const bytes = readFileSync(file).length;
  const modes: Record<string, number> = {};
  for (const mode of ['whole', 'chunk'] as const) {
    const t = performance.now();
    const text = readFileSync(file, 'utf8');
    const fastMode = !text.includes('"');
    const columns: { values: Float64Array; codes: Int32Array; dict: Map<string, number> }[] = [];
    let header: string[] | null = null;
    let row = 0;
    let capacity = 1 << 16;
    const add = (fields: string[]) => {
      if (!header) {
        header = fields;
        for (let c = 0; c < fields.length; c++)
          columns.push({
            values: new Float64Array(capacity),
            codes: new Int32Array(capacity),
            dict: new Map(),
          });
        return;
      }
      if (row === capacity) {
        capacity *= 2;
        for (const col of columns) {
          const v = new Float64Array(capacity);
          v.set(col.values);
          col.values = v;
          const k = new Int32Array(capacity);
          k.set(col.codes);
          col.codes = k;
        }
      }
      for (let c = 0; c < columns.length; c++) {
        const s = fields[c];
        const col = columns[c];
        const v = s === '' ? NaN : +s;
        col.values[row] = v;
        if (v !== v && s !== '') {
          let code = col.dict.get(s);
          if (code === undefined) {
            code = col.dict.size;
            col.dict.set(s, code);
          }
          col.codes[row] = code;
        } else col.codes[row] = -1;
      }
      row++;
    };
    if (mode === 'whole') {
      const res = Papa.parse<string[]>(text, {
        dynamicTyping: false,
        skipEmptyLines: true,
        fastMode,
      });
      for (const r of res.data) add(r);
    } else {
      // String input streamed in chunks (papaparse's StringStreamer; its typings omit it).
      const config = {
        dynamicTyping: false,
        skipEmptyLines: true,
        fastMode,
        chunkSize: 1 << 20,
        chunk: (res: Papa.ParseResult<string[]>) => {
          for (const r of res.data) add(r);
        },
      };
      Papa.parse<string[]>(text, config as unknown as Papa.ParseConfig<string[]>);
    }
    const seconds = (performance.now() - t) / 1000;
    modes[mode] = +(bytes / 1e6 / seconds).toFixed(1);
    log(`papaparse (${mode}): ${seconds.toFixed(2)} s, ${modes[mode]} MB/s, ${row} rows`);
  }
  process.stdout.write(
    JSON.stringify({
      version: papaparsePackage.version,
      modes,
      MBps: Math.max(...Object.values(modes)),
    }) + '\n',
  );
}
