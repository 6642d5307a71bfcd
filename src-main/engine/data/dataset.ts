// From a parsed table and a data binding to the encoded dataset the trainer reads. (The
// default binding itself is binding.ts.)

import type { TargetTransform } from '../../shared/catalog';
import type { DataBinding } from '../../shared/project';
import { encodeFields, fitEncoders, fitTargetEncoders } from './encoders';
import { parseTargets } from './targets';
import type {
  EncodedDataset,
  FieldEncoder,
  FieldSpec,
  Split,
  Table,
  TargetEncoder,
  TargetSpec,
} from './types';

export interface PreparedData {
  encoders: FieldEncoder[];
  targetEncoders: TargetEncoder[];
  data: EncodedDataset;
}

export function prepareDataset(
  table: Table,
  binding: DataBinding,
  fields: readonly FieldSpec[],
  transforms: readonly (TargetTransform | TargetSpec)[],
  split: Split,
): PreparedData {
  const targets = parseTargets(table, binding.tasks);
  const encoders = fitEncoders(table, fields, split.train);
  const targetEncoders = fitTargetEncoders(
    targets,
    binding.tasks,
    transforms,
    split.train,
    table.file,
  );
  return {
    encoders,
    targetEncoders,
    data: { rows: table.rows, fields: encodeFields(table, encoders), targets },
  };
}
