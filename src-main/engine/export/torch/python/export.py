"""What a finished run leaves in OUT (written by rank 0):

OUT/metrics.json          test metrics per task, row counts, epochs, best epoch, why training
                          stopped, samples per second, the backend, and the per-epoch history
OUT/export/export.json    everything needed to score raw rows: the project, the dataset's fields,
                          the encoders (vocabularies, bucket edges, scalers), the target
                          transforms, the test metrics, and the list of weights in weights.bin
OUT/export/weights.bin    every weight, float32 little-endian, in the order export.json lists
                          them (name, shape, byte offset): dense parameters "<block>/<name>"
                          (kernels [inputs, outputs]), then embedding tables "embedding/<block>/<column>"
OUT/export/predictions.csv  the predictions for the first 1,000 test rows: "row" (0-based data
                          row over the input files, in file order), then "<task>_probability"
                          (binary) or "<task>_prediction" (regression, raw scale)

`htlnet import --torch OUT/export --out MODEL` turns the export into an HTLNet Studio model
folder that the app scores, charts and compares like its own.
"""

import json
import math
import os
import shutil

import numpy as np

EXPORT_FORMAT = "htlnet-studio-torch-export"
EXPORT_VERSION = 1
PREDICTED_ROWS = 1000


def json_safe(value):
    """NaN and infinities as null, as the app writes them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value


def _write_json(path: str, value) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(json_safe(value), f, indent=2, allow_nan=False)
        f.write("\n")


def prediction_columns(job) -> list:
    return [f"{t.name}_probability" if t.type == "binary" else f"{t.name}_prediction" for t in job.tasks]


def write_results(out: str, job, weights: dict, encoders, target_encoders, test, outcome, rows, backend) -> None:
    """weights: name -> CPU tensor (dense parameters and tables); test: the test Evaluation."""
    os.makedirs(out, exist_ok=True)
    metrics = {t.name: test.metrics[t.name] for t in job.tasks}
    _write_json(
        os.path.join(out, "metrics.json"),
        {
            "tasks": metrics,
            "rows": rows,
            "epochs": outcome.epochs,
            "bestEpoch": outcome.best_epoch,
            "reason": outcome.reason,
            "message": outcome.message,
            "trainSamplesPerSecond": outcome.samples_per_second,
            "backend": backend,
            "history": outcome.history,
        },
    )

    target = os.path.join(out, "export")
    tmp = f"{target}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    names = [n for n in weights if not n.startswith("embedding/")] + [n for n in weights if n.startswith("embedding/")]
    listed, offset = [], 0
    with open(os.path.join(tmp, "weights.bin"), "wb") as f:
        for name in names:
            data = weights[name].numpy().astype("<f4")
            f.write(data.tobytes())
            listed.append(
                {
                    "name": name,
                    "shape": list(data.shape),
                    "offset": offset,
                    "kind": "table" if name.startswith("embedding/") else "dense",
                }
            )
            offset += data.nbytes
    _write_json(
        os.path.join(tmp, "export.json"),
        {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "project": job.project,
            "fields": job.fields,
            "encoders": encoders,
            "targetEncoders": target_encoders,
            "metrics": metrics,
            "rows": rows,
            "epochs": outcome.epochs,
            "bestEpoch": outcome.best_epoch,
            "backend": backend,
            "weights": listed,
        },
    )
    with open(os.path.join(tmp, "predictions.csv"), "w", encoding="utf-8") as f:
        f.write(",".join(["row"] + prediction_columns(job)) + "\n")
        for i in range(min(PREDICTED_ROWS, len(test.index))):
            f.write(",".join([str(int(test.index[i]))] + [repr(float(v)) for v in test.raw[:, i]]) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
