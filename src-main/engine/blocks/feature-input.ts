// Feature input: the bound columns that feed a shared embedding. It has no parameters and
// computes nothing itself (the embedding reads its columns); only its shape lives here.

import { featureInput as spec } from '../../shared/blocks/feature-input';
import { featureColumnsOf } from '../graph/graph';
import { defineBlock } from './define';

export const featureInput = defineBlock({
  spec,
  outputDims: ({ project, block, noBinding }) => [
    noBinding ? 'fields' : featureColumnsOf(project, block).length,
  ],
});
