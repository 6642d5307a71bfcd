// The git revision a benchmark result was measured at (short hash), or 'unknown' outside a git
// checkout: every script under bench/ records it beside its numbers.

import { execFileSync } from 'node:child_process';

export function gitRevision(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}
