// What every bench script shares around its measurement: its options, declared once (kind,
// default, one line of help) and parsed into typed values; `--help`, printing the script's
// usage and every option; a bad option or number refused in one line naming the flag; the
// result file <out>/<tag>-<date>-<revision>.json; a failure reported under the script's name
// with exit code 1; and a child process read back as its last JSON line. Each script keeps its
// own flags and their meanings.

import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gitRevision } from './revision';

interface OptionBase {
  /** One line for --help (the default is appended). */
  help: string;
  /** The word standing for the value in --help (N, DIR, a,b). */
  value?: string;
  /** A child-process mode of the script: parsed, not listed by --help. */
  internal?: boolean;
}

type OptionSpec =
  | (OptionBase & { kind: 'number'; default?: number })
  | (OptionBase & { kind: 'string'; default?: string })
  | (OptionBase & { kind: 'boolean' })
  /** Comma-separated words. */
  | (OptionBase & { kind: 'list'; default?: readonly string[] })
  /** Comma-separated numbers. */
  | (OptionBase & { kind: 'numbers'; default?: readonly number[] });

type Valued<S, V> = S extends { default: unknown } ? V : V | undefined;

type ValueOf<S> = S extends { kind: 'number' }
  ? Valued<S, number>
  : S extends { kind: 'string' }
    ? Valued<S, string>
    : S extends { kind: 'boolean' }
      ? boolean
      : S extends { kind: 'list' }
        ? Valued<S, string[]>
        : S extends { kind: 'numbers' }
          ? Valued<S, number[]>
          : never;

/** The parsed values, typed from the declarations. */
export type OptionValues<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: ValueOf<O[K]>;
};

/** A progress line on stderr (stdout carries the result). */
export const log = (s: string): void => void process.stderr.write(s + '\n');

/** The generated sample's seed (its split and initial weights too), as most scripts take it. */
export const seedOption = {
  kind: 'number',
  default: 42,
  help: 'the sample, split and weights seed',
} as const satisfies OptionSpec;

/** Where a script writes its JSON result. */
export const outOption = {
  kind: 'string',
  default: 'bench/results',
  value: 'DIR',
  help: 'where the JSON goes',
} as const satisfies OptionSpec;

/** A script: its name in messages (`bench:templates`), how it is run, and what it measures. */
interface ScriptInfo {
  name: string;
  usage: string;
  about: string;
}

/** The --help text: usage, what the script measures, then one line per public option. */
export function helpText(script: ScriptInfo, options: Record<string, OptionSpec>): string {
  const rows = Object.entries(options)
    .filter(([, o]) => !o.internal)
    .map(([name, o]) => {
      const flag = o.kind === 'boolean' ? `--${name}` : `--${name} ${o.value ?? defaultWord(o)}`;
      const fallback =
        'default' in o && o.default !== undefined ? ` (default ${showDefault(o.default)})` : '';
      return [flag, o.help + fallback];
    });
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return [
    `usage: ${script.usage}`,
    '',
    script.about,
    '',
    'options:',
    ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}${help}`),
    `  ${'--help'.padEnd(width)}this text`,
  ].join('\n');
}

const defaultWord = (o: OptionSpec): string =>
  o.kind === 'number' ? 'N' : o.kind === 'list' ? 'a,b' : o.kind === 'numbers' ? '1,2' : 'TEXT';

const showDefault = (value: unknown): string =>
  Array.isArray(value) ? value.join(',') : String(value);

/** Thrown for a bad command line; its message is one line naming the flag. */
export class UsageError extends Error {}

function number(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new UsageError(`--${flag} takes a number, got "${text}"`);
  return value;
}

/** Parses argv against the declarations; throws UsageError on an unknown flag or a bad value. */
export function parseOptions<const O extends Record<string, OptionSpec>>(
  options: O,
  argv: readonly string[],
): OptionValues<O> & { help: boolean } {
  const config = Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      { type: o.kind === 'boolean' ? ('boolean' as const) : ('string' as const) },
    ]),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { ...config, help: { type: 'boolean' } },
    }));
  } catch (e) {
    // node:util's messages are one line, with a hint to use "--" we drop.
    throw new UsageError(((e as Error).message.split('. ')[0] ?? '').trim());
  }
  const out: Record<string, unknown> = { help: values.help === true };
  for (const [name, o] of Object.entries(options)) {
    const raw = values[name];
    if (o.kind === 'boolean') out[name] = raw === true;
    else if (raw === undefined) out[name] = o.default;
    else if (typeof raw !== 'string') throw new UsageError(`--${name} takes a value`);
    else if (o.kind === 'number') out[name] = number(name, raw);
    else if (o.kind === 'string') out[name] = raw;
    else {
      const words = raw.split(',').map((w) => w.trim());
      out[name] = o.kind === 'numbers' ? words.map((w) => number(name, w)) : words;
    }
  }
  return out as OptionValues<O> & { help: boolean };
}

/**
 * A script's options from process.argv: `--help` prints the help and exits 0; a bad command
 * line prints one line (`bench:templates: --rows takes a number, got "x" (see --help)`) and
 * exits 1.
 */
export function scriptOptions<const O extends Record<string, OptionSpec>>(
  script: ScriptInfo,
  options: O,
): OptionValues<O> {
  try {
    const values = parseOptions(options, process.argv.slice(2));
    if (values.help) {
      process.stdout.write(helpText(script, options) + '\n');
      process.exit(0);
    }
    return values;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${script.name}: ${e.message} (see --help)\n`);
    process.exit(1);
  }
}

/** Runs a script's main; a failure prints its stack under the script's name and exits 1. */
export function runScript(script: ScriptInfo, main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    process.stderr.write(`${script.name}: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}

/** When and at which revision a result is recorded (the git revision: revision.ts). */
export function stamp(): { date: string; revision: string } {
  const revision = gitRevision();
  return { date: new Date().toISOString(), revision };
}

/**
 * Writes a result as pretty JSON to <dir>/<tag>-<date>-<revision>.json (no tag: the main
 * benchmark's <date>-<revision>.json), the date's colons and dots as dashes; returns the path.
 */
export async function writeResult(
  dir: string,
  tag: string,
  stamp: { date: string; revision: string },
  result: unknown,
): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const date = stamp.date.replace(/[:.]/g, '-');
  const file = path.join(dir, `${tag ? `${tag}-` : ''}${date}-${stamp.revision}.json`);
  await fs.writeFile(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}

/** Runs a command, streaming its stderr, and parses its last stdout line (`what` names it in errors). */
export function lastJsonLine(
  command: string,
  args: string[],
  what: string,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const p = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${what} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? ''));
      } catch {
        reject(new Error(`${what} printed no result`));
      }
    });
  });
}
