// The block registry: one module per block type, keyed by the type. The record's type makes
// a missing module a compile error when a block is added to the catalog. Generic code (the
// model, the program compiler, shape inference, the ONNX lowering, the plan) asks blockModule
// for a block's behaviour instead of switching on its type.

import type { BlockType } from '../../shared/catalog';
import type { BlockModule } from './define';
import { featureInput } from './feature-input';
import { sharedEmbedding } from './shared-embedding';
import { tower } from './tower';
import { crossLayer } from './cross-layer';
import { expertGroup } from './expert-group';
import { gate } from './gate';
import { labelEmbedding } from './label-embedding';
import { fusion } from './fusion';
import { taskHead } from './task-head';
import { esmmLink } from './esmm-link';
import { optimizer } from './optimizer';

const BLOCKS: { readonly [T in BlockType]: BlockModule<T> } = {
  'feature-input': featureInput,
  'shared-embedding': sharedEmbedding,
  tower,
  'cross-layer': crossLayer,
  'expert-group': expertGroup,
  gate,
  'label-embedding': labelEmbedding,
  fusion,
  'task-head': taskHead,
  'esmm-link': esmmLink,
  optimizer,
};

/** The module of a block type (every catalog type has one). */
export function blockModule(type: BlockType): BlockModule {
  const module = BLOCKS[type] as BlockModule | undefined;
  if (!module) throw new Error(`Unknown block type "${type}"`);
  return module;
}

/** Whether stop-gradient cuts what enters this input port of the block. */
export function isStopGradientPort(type: BlockType, port: string): boolean {
  return blockModule(type).stopGradientPorts?.includes(port) ?? false;
}

export type { BlockModule, BlockValue, OnnxValue } from './define';
