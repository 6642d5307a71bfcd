// Runs the htlnet command line in-process, capturing what it prints.

import { vi } from 'vitest';
import { main } from '../../src-main/cli';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(...argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** The --json object: the last line of stdout. */
export const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);
