// The HTLNet paper's ablation as a rule over a graph, shared by the engine (which builds and
// trains the variants, engine/experiments/variants.ts) and the Train tab (which offers "Run the
// ablation" only when the engine would accept it, and explains the variants in the same words).
// Each step is one change of the full model, named by parameter paths (engine/experiments/
// params.ts); a step that would not change the project is left out. No Node or DOM imports.

import type { Block, ParamValue } from './project';

/** The name of the full model in an ablation (the variant the others are compared with). */
export const ABLATION_FULL = 'full';

interface AblationStep {
  /** The variant's name: "without LEU". */
  name: string;
  /** The component the variant takes away, in words ("the label embedding unit"). */
  component: string;
  /** The parameters it sets, by path. */
  params: Record<string, ParamValue>;
  /** What the variant trains, in one plain sentence for the analyst. */
  explanation: string;
}

/**
 * The ablation's steps for a graph, in the paper's order:
 * - without LEU: the label embedding units removed (the fusion units fuse representations only);
 * - without IFU: the fusion units concatenate instead of attending (the paper's ablation keeps
 *   what the earlier tasks pass on and removes the fusion itself; HTLNET.md, IFU);
 * - without gradient adjustment: the shared gradients are plainly summed;
 * - projection only: the direction step alone (PCGrad with the project's alpha);
 * - magnitude only: the magnitude step alone (MetaBalance with its gamma and C).
 * The last three need an optimizer block set to the HTLNet adjustment.
 */
export function ablationSteps(blocks: readonly Block[]): AblationStep[] {
  const steps: AblationStep[] = [];
  if (blocks.some((b) => b.type === 'label-embedding'))
    steps.push({
      name: 'without LEU',
      component: 'the label embedding unit',
      params: { 'label-embedding.enabled': false },
      explanation:
        'The label embedding units are removed: later tasks no longer see what the earlier tasks predicted.',
    });
  if (blocks.some((b) => b.type === 'fusion' && b.params.mode !== 'concat'))
    steps.push({
      name: 'without IFU',
      component: 'the information fusion unit',
      params: { 'fusion.mode': 'concat' },
      explanation:
        'The fusion units concatenate their inputs instead of attending to them (what earlier tasks pass on is kept).',
    });
  const optimizer = blocks.find((b) => b.type === 'optimizer');
  if (optimizer?.params.adjustment === 'htlnet') {
    steps.push(
      {
        name: 'without gradient adjustment',
        component: 'the gradient adjustment',
        params: { 'training.adjustment': 'none' },
        explanation: "The tasks' gradients on the shared layers are simply added up.",
      },
      {
        name: 'projection only',
        component: 'the magnitude step of the gradient adjustment',
        params: { 'training.adjustment': 'pcgrad' },
        explanation:
          'Only the direction step: conflicting gradients are projected, their sizes are left alone.',
      },
      {
        name: 'magnitude only',
        component: 'the projection step of the gradient adjustment',
        params: { 'training.adjustment': 'metabalance' },
        explanation:
          'Only the magnitude step: gradient sizes are balanced, their directions are left alone.',
      },
    );
  }
  return steps;
}

/** Why a graph cannot be ablated (the engine's refusal, word for word), or null when it can. */
export function ablationRefusal(blocks: readonly Block[]): string | null {
  if (!blocks.some((b) => b.type === 'optimizer'))
    return 'The ablation needs a project with an optimizer block.';
  if (ablationSteps(blocks).length === 0)
    return 'The ablation needs an HTLNet project (label embeddings, fusion units or the HTLNet gradient adjustment); this one has none of them.';
  return null;
}
