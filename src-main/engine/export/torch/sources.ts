// The training package's files, bundled as text: the Python sources (one file per concern, one
// file per block under blocks/, see blocks/__init__.py) and the package's README. project.json,
// the job itself, is written next to them by job.ts. A new block's twin is imported and listed
// here (test/engine/export/torch.test.ts fails until every catalog block type has one).

import checkpointPy from './python/checkpoint.py?raw';
import dataPy from './python/data.py?raw';
import distPy from './python/dist.py?raw';
import evaluatePy from './python/evaluate.py?raw';
import exportPy from './python/export.py?raw';
import jobPy from './python/job.py?raw';
import metricsPy from './python/metrics.py?raw';
import modelPy from './python/model.py?raw';
import opsPy from './python/ops.py?raw';
import optimPy from './python/optim.py?raw';
import preprocessPy from './python/preprocess.py?raw';
import readme from './python/README.md?raw';
import rngPy from './python/rng.py?raw';
import stepPy from './python/step.py?raw';
import trainPy from './python/train.py?raw';
import trainerPy from './python/trainer.py?raw';
import blocksPy from './python/blocks/__init__.py?raw';
import crossLayerPy from './python/blocks/cross_layer.py?raw';
import esmmLinkPy from './python/blocks/esmm_link.py?raw';
import expertGroupPy from './python/blocks/expert_group.py?raw';
import fusionPy from './python/blocks/fusion.py?raw';
import gatePy from './python/blocks/gate.py?raw';
import labelEmbeddingPy from './python/blocks/label_embedding.py?raw';
import taskHeadPy from './python/blocks/task_head.py?raw';
import towerPy from './python/blocks/tower.py?raw';

/** File path (relative, `/`-separated) -> text, in the order the README describes them. */
export const PACKAGE_SOURCES: Readonly<Record<string, string>> = {
  'README.md': readme,
  'train.py': trainPy,
  'job.py': jobPy,
  'dist.py': distPy,
  'data.py': dataPy,
  'preprocess.py': preprocessPy,
  'rng.py': rngPy,
  'model.py': modelPy,
  'ops.py': opsPy,
  'blocks/__init__.py': blocksPy,
  'blocks/tower.py': towerPy,
  'blocks/cross_layer.py': crossLayerPy,
  'blocks/expert_group.py': expertGroupPy,
  'blocks/gate.py': gatePy,
  'blocks/label_embedding.py': labelEmbeddingPy,
  'blocks/fusion.py': fusionPy,
  'blocks/task_head.py': taskHeadPy,
  'blocks/esmm_link.py': esmmLinkPy,
  'step.py': stepPy,
  'optim.py': optimPy,
  'trainer.py': trainerPy,
  'evaluate.py': evaluatePy,
  'metrics.py': metricsPy,
  'checkpoint.py': checkpointPy,
  'export.py': exportPy,
};
