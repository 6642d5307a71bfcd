"""The PyTorch twin of each block, one module per block type (blocks/<type>.py, the type's
hyphens as underscores), as the app's registry (src-main/engine/blocks/index.ts). model.py walks
the graph and asks this table; it never names a block type. A module may define:

- params(ctx) -> width: creates the block's dense parameters in the app's order (ctx.add,
  ctx.mlp, ctx.in_width, ctx.source_widths, ctx.source_params) and returns its output width;
- forward(ctx) -> value: the forward pass (ctx.inputs, ctx.vectors, ctx.param, ctx.mlp,
  ctx.noise, ctx.stop_gradient), a dict of kind "vector", "experts", "label", "binary" or
  "regression" as in engine/blocks/define.ts;
- noise(ctx, rng, size) -> {name: array}: the random numbers one training batch needs, drawn in
  the app's order (dropout masks, Gumbel noise).

Blocks the model does not compute have no module and say here where they live instead; the
test/engine/export/torch.test.ts checks that every catalog block type is in one of the two.
"""

from . import cross_layer, esmm_link, expert_group, fusion, gate, label_embedding, task_head, tower

BLOCKS = {
    "tower": tower,
    "cross-layer": cross_layer,
    "expert-group": expert_group,
    "gate": gate,
    "label-embedding": label_embedding,
    "fusion": fusion,
    "task-head": task_head,
    "esmm-link": esmm_link,
}

ELSEWHERE = {
    "feature-input": "its columns are read and encoded by data.py and preprocess.py",
    "shared-embedding": "its tables are model.py's Embeddings, updated sparsely by optim.py",
    "optimizer": "its settings are the job's (job.py Settings), applied by step.py and optim.py",
}


def block_module(kind: str):
    """The module of a block type in the plan (every type the model computes has one)."""
    module = BLOCKS.get(kind)
    if module is None and kind not in ELSEWHERE:
        raise ValueError(f'Unknown block type "{kind}" in project.json: export the package again')
    return module
