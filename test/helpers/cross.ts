// Puts a DCN-v2 cross layer (engine/blocks/cross-layer.ts) into a template: the shared
// embedding feeds one cross layer, and the cross layer replaces the embedding as the input of
// every block that read it. Shared by the cross layer's parity tests (executor, ONNX, PyTorch).
import type { ProjectFile } from '../../src-main/shared/project';

export function withCrossLayer(
  project: ProjectFile,
  params: { layers: number; rank: number },
  id = 'cross',
): ProjectFile {
  const embedding = project.graph.blocks.find((b) => b.type === 'shared-embedding')!;
  project.graph.blocks.push({ id, type: 'cross-layer', params, position: { x: 0, y: 0 } });
  for (const e of project.graph.edges) {
    if (e.source.block !== embedding.id) continue;
    e.source = { block: id, port: 'out' };
    e.id = `${id}.out->${e.target.block}.${e.target.port}`;
  }
  project.graph.edges.push({
    id: `${embedding.id}.embedding->${id}.in`,
    source: { block: embedding.id, port: 'embedding' },
    target: { block: id, port: 'in' },
  });
  return project;
}
