// Writes the template gallery's project files (resources/templates/<kind>.htlnet.json), built
// for the sample dataset's binding. Run after changing a template or the file format:
//   npx tsx src-main/engine/graph/write-templates.ts
// A test checks the committed files equal what this writes, so they never drift.

import { sampleBinding } from '../src-main/engine/data/sample-layout';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serializeProject } from '../src-main/engine/graph/project-file';
import { buildTemplate, TEMPLATE_KINDS } from '../src-main/engine/graph/templates';

/** The folder the template files live in. */
export const TEMPLATES_DIR = fileURLToPath(
  new URL('../../../resources/templates/', import.meta.url),
);

export function templateFileName(kind: string): string {
  return `${kind}.htlnet.json`;
}

function main(): void {
  mkdirSync(TEMPLATES_DIR, { recursive: true });
  const binding = sampleBinding();
  for (const { kind } of TEMPLATE_KINDS) {
    const file = `${TEMPLATES_DIR}${templateFileName(kind)}`;
    writeFileSync(file, serializeProject(buildTemplate(kind, binding)));
    console.log(`wrote ${file}`);
  }
}

main();
