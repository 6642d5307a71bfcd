// How the journey reads an error the host threw: its message, and its code when it gave one.

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The host's code for an error ('output-exists', 'upload-too-large'), when it gave one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
