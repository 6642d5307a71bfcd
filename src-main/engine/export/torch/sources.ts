// The training package's files, bundled as text: the Python sources (one file per concern) and
// the package's README. project.json, the job itself, is written next to them by job.ts.

import checkpointPy from './python/checkpoint.py?raw';
import dataPy from './python/data.py?raw';
import distPy from './python/dist.py?raw';
import evaluatePy from './python/evaluate.py?raw';
import exportPy from './python/export.py?raw';
import jobPy from './python/job.py?raw';
import metricsPy from './python/metrics.py?raw';
import modelPy from './python/model.py?raw';
import optimPy from './python/optim.py?raw';
import preprocessPy from './python/preprocess.py?raw';
import readme from './python/README.md?raw';
import rngPy from './python/rng.py?raw';
import stepPy from './python/step.py?raw';
import trainPy from './python/train.py?raw';
import trainerPy from './python/trainer.py?raw';

/** File name -> text, in the order the README describes them. */
export const PACKAGE_SOURCES: Readonly<Record<string, string>> = {
  'README.md': readme,
  'train.py': trainPy,
  'job.py': jobPy,
  'dist.py': distPy,
  'data.py': dataPy,
  'preprocess.py': preprocessPy,
  'rng.py': rngPy,
  'model.py': modelPy,
  'step.py': stepPy,
  'optim.py': optimPy,
  'trainer.py': trainerPy,
  'evaluate.py': evaluatePy,
  'metrics.py': metricsPy,
  'checkpoint.py': checkpointPy,
  'export.py': exportPy,
};
