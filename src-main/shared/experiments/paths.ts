// The words every side of an experiment shares: the scope of training settings and the
// presence pseudo-parameter in a parameter path ("training.learningRate",
// "label-embedding.enabled"), and how many seeds one variant may take. The engine resolves the
// paths (engine/experiments/params.ts), the Train tab builds them (store/launch/sweep.ts), the
// CLI and the IPC handlers check the seeds. No Node or DOM imports.

import type { BlockType } from '../catalog';

/** The scope of training settings in a path ("training.epochs"): the optimizer's parameters. */
export const TRAINING_SCOPE = 'training';

/** The pseudo-parameter that adds or removes blocks ("label-embedding.enabled=false"). */
export const ENABLED = 'enabled';

/** Block types whose `enabled=false` removes them: side inputs the graph works without. */
export const REMOVABLE: readonly BlockType[] = ['label-embedding', 'fusion'];

/** Seeds per variant, at most (the CLI's --seeds, the API's seeds, the Train tab's field). */
export const MAX_SEEDS = 100;
