// Run-time checks of what arrives over IPC (or HTTP). The shape of a project is checked by the
// engine's project-file reader (the same check as opening a file); the graph validator then
// reports what is wrong with a well-formed project.

import { UserError } from '../engine/errors';
import { validateProjectDocument } from '../engine/graph/project-file';
import type { ProjectFile } from '../shared/project';

/** A call with arguments of the wrong number or shape. */
export class ArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgumentError';
  }
}

/** Checks the argument count of a call. */
export function expectArgs(
  channel: string,
  args: readonly unknown[],
  names: readonly string[],
): void {
  if (args.length !== names.length) {
    const expected = names.length === 0 ? 'no arguments' : `${names.length} (${names.join(', ')})`;
    throw new ArgumentError(`${channel} takes ${expected}; got ${args.length}.`);
  }
}

/**
 * Checks that `value` is a project document (migrating an older version and filling parameter
 * defaults, as opening a file does); throws an ArgumentError naming the channel and the field.
 */
export function checkProjectFile(value: unknown, channel: string): ProjectFile {
  try {
    return validateProjectDocument(value, 'The project');
  } catch (error) {
    if (error instanceof UserError) throw new ArgumentError(`${channel}: ${error.message}`);
    throw error;
  }
}
