// Errors a person sees. Every one says what happened and where (file, line, column, block),
// in one readable line; the CLI prints the message alone (a stack trace only with --verbose).

export interface ErrorLocation {
  file?: string;
  /** 1-based line in the file. */
  line?: number;
  /** Column name (or 1-based number when there is no header). */
  column?: string;
  /** Block id in the graph. */
  block?: string;
  /** Parameter or JSON field. */
  field?: string;
}

export class UserError extends Error {
  readonly where: ErrorLocation;
  constructor(message: string, where: ErrorLocation = {}) {
    super(message);
    this.name = 'UserError';
    this.where = where;
  }
}

/** A run stopped on purpose (the user pressed stop, or an AbortSignal fired). */
export class CancelledError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}
