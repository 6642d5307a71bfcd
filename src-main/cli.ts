// The `htlnet` command line: the same engine as the desktop app, from a terminal.
// Its commands and its --json output are a public interface: extend them, never break them.
// This file keeps the usage text, the argument parsing, the dispatch and the error report
// (exit codes: 0 done, 1 a user error, 2 an internal error or no command, 130 cancelled); each
// command lives in src-main/cli/ (kit.ts holds the helpers they share).

import { parseArgs } from 'node:util';
import { CancelledError, UserError } from './engine/errors';
import { outOfMemoryMessage } from './engine/resources';
import { APP_VERSION } from './engine/version';
import { ablate, sweep } from './cli/experiments';
import { exportModel, importModel } from './cli/export';
import { explain } from './cli/explain';
import { CLI_KIT, type Flags } from './cli/kit';
import { runs } from './cli/runs';
import { sample, templates } from './cli/sample';
import { evaluate, predict } from './cli/score';
import { train } from './cli/train';

export { columnNotes, parseTasks } from './cli/kit';

const USAGE = `HTLNet Studio ${APP_VERSION}: multi-task hybrid-target models from the command line.

Usage:
  htlnet train --data FILE --tasks NAME:binary,NAME:binary,NAME:regression
               [--features a,b] [--exclude c,d] [--categorical e,f] [--numeric g]
               [--model htlnet|dnn|shared-bottom|mmoe|ple|esmm|aitm | --project FILE]
               [--epochs N] [--batch N] [--seed N] [--split random|time:COL]
               [--schedule constant|step|cosine] [--warmup EPOCHS] [--decay-factor F]
               [--decay-every EPOCHS] [--cosine-floor F] [--weight-decay WD]
               [--embedding-weight-decay WD] [--out DIR] [--json]
  htlnet predict --model DIR --data FILE --out FILE [--keep all|none|a,b] [--force] [--json]
               (the predictions follow the kept input columns, by default all of them;
               --force replaces an existing --out file that is not a predictions file)
  htlnet eval --model DIR --data FILE [--json]
  htlnet explain --model DIR --data FILE [--rows N] [--repeats K] [--subset all|test|validation]
               [--group NAME=col,col ...] [--row I ...] [--metric gini|rmse] [--out FILE.json] [--json]
               (which inputs drive each task: permutation importance; --row I: why data row I
               got its prediction; --out: everything, with partial dependence and the funnel)
  htlnet export --model DIR --format onnx --out FILE.onnx [--force] [--json]
               (also writes FILE.preprocessing.json: how to encode raw rows for the model)
  htlnet export --project FILE --format torch --out DIR [--json]
               (a PyTorch training package: python3 train.py / torchrun ... train.py --data FILES)
  htlnet import --torch DIR --out MODELDIR [--json]
               (the model a PyTorch package trained, as an app model to predict, eval, compare)
  htlnet ablate --data FILE --tasks NAME:binary,...,NAME:regression [--categorical e,f]
               [--features a,b] [--exclude c,d] [--project FILE] [--seeds N] [--seed FIRST]
               [--epochs N] [--batch N] [--json]
               (the HTLNet paper's ablation on your data: full, without LEU, without IFU,
               without gradient adjustment, projection only, magnitude only; N seeds each)
  htlnet sweep --project FILE --data FILE --grid 'PARAM=[v1,v2];PARAM=[v1,v2]' [--seeds N]
               [--seed FIRST] [--epochs N] [--batch N] [--json]
               (every combination, N seeds each; PARAM is BLOCK.PARAM or training.PARAM,
               e.g. training.learningRate=[0.001,0.01];tower.units=["128,64","64,32"])
  htlnet runs [--workspace DIR] [--data-dir DIR] [--group ID] [--json]
               (the runs the app keeps for a workspace, with their group and disk use)
  htlnet runs --prune [--older-than DAYS] [--keep-newest N] [--group ID] [--json]
               (deletes finished runs matching every condition given)
  htlnet templates [--json]
  htlnet sample --out FILE [--rows N] [--seed N]

Options common to every command: --verbose (stack traces), --help.
With --json the last line of stdout is one JSON object.`;

const OPTIONS = {
  data: { type: 'string' },
  tasks: { type: 'string' },
  features: { type: 'string' },
  exclude: { type: 'string' },
  categorical: { type: 'string' },
  numeric: { type: 'string' },
  model: { type: 'string' },
  project: { type: 'string' },
  epochs: { type: 'string' },
  batch: { type: 'string' },
  seed: { type: 'string' },
  schedule: { type: 'string' },
  warmup: { type: 'string' },
  'decay-factor': { type: 'string' },
  'decay-every': { type: 'string' },
  'cosine-floor': { type: 'string' },
  'weight-decay': { type: 'string' },
  'embedding-weight-decay': { type: 'string' },
  split: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
  torch: { type: 'string' },
  rows: { type: 'string' },
  repeats: { type: 'string' },
  subset: { type: 'string' },
  group: { type: 'string', multiple: true },
  row: { type: 'string', multiple: true },
  metric: { type: 'string' },
  seeds: { type: 'string' },
  grid: { type: 'string' },
  workspace: { type: 'string' },
  'data-dir': { type: 'string' },
  prune: { type: 'boolean' },
  'older-than': { type: 'string' },
  'keep-newest': { type: 'string' },
  keep: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[]): Promise<number> {
  let flags: Flags = {};
  try {
    const parsed = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    flags = parsed.values as Flags;
    const [command, ...rest] = parsed.positionals;
    if (flags.help || !command) {
      process.stdout.write(USAGE + '\n');
      return command || flags.help ? 0 : 2;
    }
    if (rest.length > 0)
      throw new UserError(`Unexpected argument "${rest[0]}". Run htlnet --help.`);
    switch (command) {
      case 'train':
        return await train(flags);
      case 'predict':
        return await predict(flags);
      case 'eval':
        return await evaluate(flags);
      case 'explain':
        return await explain(flags);
      case 'export':
        return await exportModel(flags);
      case 'import':
        return await importModel(flags);
      case 'ablate':
        return await ablate(flags, CLI_KIT);
      case 'sweep':
        return await sweep(flags, CLI_KIT);
      case 'runs':
        return await runs(flags, CLI_KIT);
      case 'templates':
        return templates(flags);
      case 'sample':
        return await sample(flags);
      default:
        throw new UserError(
          `Unknown command "${command}". Commands: train, predict, eval, explain, export, import, ablate, sweep, runs, templates, sample.`,
        );
    }
  } catch (e) {
    return fail(e, Boolean(flags.verbose) || argv.includes('--verbose'));
  }
}

function fail(e: unknown, verbose: boolean): number {
  if (e instanceof CancelledError) {
    process.stderr.write('htlnet: cancelled\n');
    return 130;
  }
  const err = e as Error & { code?: string };
  let message = outOfMemoryMessage(e) ?? err?.message ?? String(e);
  if (
    err?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
    err?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
  ) {
    message = `${message.split('. ')[0]}. Run htlnet --help.`;
  }
  const oneLine = message.replace(/\s*\n\s*/g, ' ');
  process.stderr.write(`htlnet: ${e instanceof UserError ? '' : 'error: '}${oneLine}\n`);
  if (verbose && err?.stack) process.stderr.write(err.stack + '\n');
  return e instanceof UserError || err?.code?.startsWith?.('ERR_PARSE_ARGS') ? 1 : 2;
}
