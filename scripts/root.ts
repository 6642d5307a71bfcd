// The repository's root folder, for scripts that write files into it: the nearest folder above
// the running file that holds the project's package.json. Works from the TypeScript source
// (tsx) and from the bundle scripts/run.mjs makes in out/scripts/.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'htlnet-studio'
    )
      return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('scripts/root.ts: the htlnet-studio folder was not found');
    dir = up;
  }
}
