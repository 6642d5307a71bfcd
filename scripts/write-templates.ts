// Writes the template gallery's project files (resources/templates/<kind>.htlnet.json), built
// for the sample dataset's binding. Run after changing a template or the file format:
//   npm run templates:write
// A test (test/engine/graph/templates.test.ts) checks the committed files equal what this
// writes, so they never drift.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sampleBinding } from '../src-main/engine/data/sample-layout';
import { serializeProject } from '../src-main/engine/graph/project-file';
import { buildTemplate, TEMPLATE_KINDS } from '../src-main/engine/graph/templates';
import { repoRoot } from './root';

/** The folder the template files live in. */
const TEMPLATES_DIR = path.join(repoRoot(), 'resources', 'templates');

function main(): void {
  mkdirSync(TEMPLATES_DIR, { recursive: true });
  const binding = sampleBinding();
  for (const { kind } of TEMPLATE_KINDS) {
    const file = path.join(TEMPLATES_DIR, `${kind}.htlnet.json`);
    writeFileSync(file, serializeProject(buildTemplate(kind, binding)));
    console.log(`wrote ${file}`);
  }
}

main();
