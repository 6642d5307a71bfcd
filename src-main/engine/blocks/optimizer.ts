// Optimizer: how the model trains. It has no ports and computes nothing in the forward pass;
// model/plan.ts reads its parameters into the run's optimizer settings.

import { optimizer as spec } from '../../shared/blocks/optimizer';
import { defineBlock } from './define';

export const optimizer = defineBlock({ spec });
