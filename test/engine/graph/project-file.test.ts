import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { UserError } from '../../../src-main/engine/errors';
import { locateJsonPath } from '../../../src-main/engine/graph/json-syntax';
import { MIGRATIONS } from '../../../src-main/engine/graph/migrations';
import {
  parseProject,
  readProject,
  serializeProject,
  validateProjectDocument,
} from '../../../src-main/engine/graph/project-file';
import { buildTemplate, TEMPLATE_KINDS } from '../../../src-main/engine/graph/templates';
import { validateGraph } from '../../../src-main/engine/graph/validate';
import {
  PROJECT_VERSION,
  type Block,
  type BlockType,
  type ProjectFile,
  type SplitSetting,
  type TaskBinding,
} from '../../../src-main/shared/project';
import { binding, chain } from './sketch';

const FIXTURES = fileURLToPath(new URL('../../fixtures/projects/', import.meta.url));

/** The error a function throws (failing the test when it throws none). */
function thrown(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected an error');
}

/** A valid document (plain JSON) to break in tests. */
function doc(): Record<string, unknown> & {
  graph: { blocks: Record<string, unknown>[]; edges: Record<string, unknown>[] };
} {
  return JSON.parse(serializeProject(chain()));
}

const parse = (json: unknown) => () => validateProjectDocument(json, 'demo.htlnet.json');

describe('JSON syntax', () => {
  it('names the file, line and column of a syntax error', () => {
    const text =
      '{\n  "format": "htlnet-studio-project",\n  "version": 2,\n  "name": "x"\n  "graph": {}\n}\n';
    const e = thrown(() => parseProject(text, 'demo.htlnet.json'));
    expect(e.message).toBe(
      'demo.htlnet.json, line 5, column 3: not valid JSON: expected "," or "}" but found a string.',
    );
    expect(e.where).toMatchObject({ file: 'demo.htlnet.json', line: 5 });
  });

  it.each([
    ['{"a": 1,}', 1, 9, 'a comma before "}" is not allowed'],
    ['{\n  "a": [1, 2,]\n}', 2, 14, 'a comma before "]" is not allowed'],
    ["{'a': 1}", 1, 2, 'expected a property name in double quotes'],
    ['{"a": tru}', 1, 7, 'unexpected "tru" where a value should be'],
    ['{"a": 1}\n}', 2, 1, 'after the end of the JSON value'],
    ['{"a": "x\n"}', 1, 9, 'a string is not closed before the end of the line'],
    ['{\r\n"a":\r\n', 3, 1, 'the file ends where a value should be'],
  ])('locates %j', (text, line, column, reason) => {
    const e = thrown(() => parseProject(text, 'p.json'));
    expect(e.message).toContain(`p.json, line ${line}, column ${column}: not valid JSON: `);
    expect(e.message).toContain(reason);
  });

  it('refuses an empty file and reads one with a byte-order mark', () => {
    expect(thrown(() => parseProject('  \n', 'empty.json')).message).toBe(
      'empty.json is empty; it is not an HTLNet Studio project.',
    );
    const text = serializeProject(chain());
    expect(parseProject(`\ufeff${text}`)).toEqual(parseProject(text));
  });
});

describe('format and version', () => {
  it('refuses a foreign JSON file, naming its format', () => {
    expect(
      thrown(() => parseProject('{"format": "tfjs-layers-model", "version": 1}', 'model.json'))
        .message,
    ).toBe(
      'model.json is not an HTLNet Studio project (format is "tfjs-layers-model"; expected "htlnet-studio-project").',
    );
    expect(
      thrown(() => parseProject('{"name": "package", "version": "1.0.0"}', 'package.json')).message,
    ).toBe(
      'package.json is not an HTLNet Studio project (format is missing; expected "htlnet-studio-project").',
    );
    expect(thrown(() => parseProject('[1, 2]', 'list.json')).message).toMatch(
      /^list\.json is not an HTLNet Studio project \(it holds a JSON list/,
    );
  });

  it('refuses a newer version with an update hint', () => {
    const d = doc();
    d.version = PROJECT_VERSION + 1;
    expect(thrown(parse(d)).message).toBe(
      `demo.htlnet.json was saved by a newer HTLNet Studio (project version ${PROJECT_VERSION + 1}; this app reads up to ${PROJECT_VERSION}). Update the app to open it.`,
    );
  });

  it('refuses a version that is not a whole number', () => {
    const d = doc();
    d.version = '2';
    expect(thrown(parse(d)).message).toBe(
      'demo.htlnet.json: field "version": must be a whole number of at least 1, got "2".',
    );
  });

  it('has a migration for every older version, in a numbered chain', () => {
    for (let v = 1; v < PROJECT_VERSION; v++) {
      const step = MIGRATIONS.filter((m) => m.from === v);
      expect(step).toHaveLength(1);
      expect(step[0].to).toBe(v + 1);
      expect(step[0].description.length).toBeGreaterThan(10);
    }
  });
});

describe('version 1 files', () => {
  const text = readFileSync(`${FIXTURES}htlnet-v1.htlnet.json`, 'utf8');

  it('the fixture is in the version 1 format', () => {
    const raw = JSON.parse(text);
    expect(raw.version).toBe(1);
    expect(raw.graph.edges[0]).toEqual({
      id: 'e1',
      from: 'features.features',
      to: 'embedding.features',
    });
    expect(raw.data.targets).toHaveLength(3);
    expect(raw.data.tasks).toBeUndefined();
    expect(raw.data.excluded).toBeUndefined();
  });

  it('migrates to the current version and validates', () => {
    const loaded = readProject(text, 'htlnet-v1.htlnet.json');
    const p = loaded.project;
    expect(loaded.migratedFrom).toBe(1);
    expect(loaded.migrations.map((m) => [m.from, m.to])).toEqual([[1, 2]]);
    expect(loaded.warnings).toEqual([]);
    expect(p.version).toBe(PROJECT_VERSION);
    expect(p.graph.edges[0]).toEqual({
      id: 'e1',
      source: { block: 'features', port: 'features' },
      target: { block: 'embedding', port: 'features' },
    });
    expect(p.data.tasks).toEqual([
      { name: 'click', column: 'click', type: 'binary' },
      { name: 'purchase', column: 'purchase', type: 'binary' },
      { name: 'amount', column: 'amount', type: 'regression' },
    ]);
    expect(p.data.excluded).toEqual([]);
    expect(p.data.source).toBe('data/shop-sessions.csv');
    expect(validateGraph(p)).toEqual([]);
    // Saved again, it is a current-version file that reads back unchanged.
    expect(parseProject(serializeProject(p))).toEqual(p);
  });

  it('names the connection of a malformed version 1 edge', () => {
    const raw = JSON.parse(text);
    raw.graph.edges[2].to = 'tower-click';
    expect(thrown(parse(raw)).message).toBe(
      'demo.htlnet.json (project version 1) cannot be converted to version 2: connection "e3": "to" must look like "block.port", got "tower-click".',
    );
  });

  it('does not change the document it is given', () => {
    const raw = JSON.parse(text);
    const copy = structuredClone(raw);
    validateProjectDocument(raw);
    expect(raw).toEqual(copy);
  });
});

describe('structural checks', () => {
  it('names the block (id and label) and the parameter of a value out of bounds', () => {
    const d = doc();
    const tower = d.graph.blocks.find((b) => b.id === 'tower-purchase')!;
    tower.id = 'tower-2';
    tower.params = { ...(tower.params as object), dropout: 1.5 };
    for (const e of d.graph.edges) {
      for (const end of [e.source, e.target] as { block: string }[]) {
        if (end.block === 'tower-purchase') end.block = 'tower-2';
      }
    }
    const e = thrown(parse(d));
    expect(e.message).toBe(
      'demo.htlnet.json: block "tower-2" (Purchase tower), parameter "dropout": must be a number between 0 and 0.9, got 1.5.',
    );
    expect(e.where).toEqual({ file: 'demo.htlnet.json', block: 'tower-2', field: 'dropout' });
  });

  it.each<[string, (d: ReturnType<typeof doc>) => void, string]>([
    [
      'a parameter of the wrong type',
      (d) => (d.graph.blocks[1].params = { dim: '16' }),
      'block "embedding" (Embedding), parameter "dim": must be a whole number between 1 and 512, got "16"',
    ],
    [
      'a choice outside its options',
      (d) => (d.graph.blocks[2].params = { activation: 'swish' }),
      'parameter "activation": must be one of "relu", "gelu", "tanh", "sigmoid", "linear", got "swish"',
    ],
    [
      'a boolean given as text',
      (d) => (d.graph.blocks[4].params = { gumbel: 'yes' }),
      'block "leu-click" (Click LEU), parameter "gumbel": must be true or false, got "yes"',
    ],
    [
      'a learning rate of 0',
      (d) => (d.graph.blocks[8].params = { learningRate: 0 }),
      'parameter "learningRate": must be a number greater than 0 and at most 10, got 0',
    ],
    [
      'an unknown block type',
      (d) => (d.graph.blocks[2].type = 'towr'),
      'block "tower-click" (Click tower): unknown block type "towr" (known types: feature-input, shared-embedding',
    ],
    [
      'a duplicate block id',
      (d) => (d.graph.blocks[3].id = 'tower-click'),
      'block "tower-click": blocks #3 and #4 have the same id; block ids must be unique',
    ],
    [
      'a block without an id',
      (d) => delete d.graph.blocks[3].id,
      'block #4, field "id": must be non-empty text, got nothing',
    ],
    [
      'a position that is not a number',
      (d) => (d.graph.blocks[0].position = { x: 'left', y: 0 }),
      'block "features" (Features), field "position.x": must be a number, got "left"',
    ],
    [
      'an edge from a missing block',
      (d) => ((d.graph.edges[1].source as { block: string }).block = 'embeding'),
      'connection "e2": goes from block "embeding", which does not exist',
    ],
    [
      'an edge to a missing port',
      (d) => ((d.graph.edges[1].target as { port: string }).port = 'input'),
      'connection "e2": block "tower-click" (Click tower) has no input port "input" (its inputs: "in")',
    ],
    [
      'an edge from an input port',
      (d) => ((d.graph.edges[1].source as { port: string }).port = 'features'),
      'block "embedding" (Embedding) has no output port "features" (its outputs: "embedding")',
    ],
    [
      'a duplicate edge id',
      (d) => (d.graph.edges[2].id = 'e1'),
      'connection "e1": two connections have this id',
    ],
    [
      'blocks that are not a list',
      (d) => ((d.graph as unknown as Record<string, unknown>).blocks = {}),
      'field "graph.blocks": must be a list, got {}',
    ],
    [
      'a feature of an unknown kind',
      (d) => ((d.data as { features: { kind: string }[] }).features[2].kind = 'number'),
      'data binding, feature "price", field "kind": must be "categorical" or "numeric", got "number"',
    ],
    [
      'a task of an unknown type',
      (d) => ((d.data as { tasks: { type: string }[] }).tasks[1].type = 'count'),
      'data binding, task "purchase", field "type": must be "binary" or "regression", got "count"',
    ],
    [
      'two tasks with one name',
      (d) => ((d.data as { tasks: { name: string }[] }).tasks[1].name = 'click'),
      'data binding: two tasks are named "click"',
    ],
    [
      'a feature listed twice',
      (d) => ((d.data as { features: { column: string }[] }).features[1].column = 'user'),
      'data binding: column "user" is listed twice as a feature',
    ],
    [
      'a target that is also a feature',
      (d) => ((d.data as { features: { column: string }[] }).features[1].column = 'click'),
      'data binding: column "click" is both a feature and the target of task "click"',
    ],
    [
      'no excluded list',
      (d) => delete (d.data as Record<string, unknown>).excluded,
      'data binding, field "excluded": must be a list, got nothing',
    ],
    [
      'fractions that do not sum to 1',
      (d) => ((d.training as Record<string, unknown>).fractions = [0.8, 0.1, 0.2]),
      'training settings, field "fractions": must be three numbers (train, validation, test), each greater than 0, that sum to 1; got [0.8,0.1,0.2]',
    ],
    [
      'a zero fraction',
      (d) => ((d.training as Record<string, unknown>).fractions = [0.9, 0.1, 0]),
      'each greater than 0, that sum to 1; got [0.9,0.1,0]',
    ],
    [
      'a time split without a column',
      (d) => ((d.training as Record<string, unknown>).split = { kind: 'time' }),
      'training settings, field "split.column": must be non-empty text, got nothing',
    ],
    [
      'an unknown split',
      (d) => ((d.training as Record<string, unknown>).split = { kind: 'kfold' }),
      'training settings, field "split.kind": must be "random" or "time", got "kfold"',
    ],
    ['no name', (d) => delete d.name, 'field "name": must be text, got nothing'],
    // The places the schema's issues are named by (shared/project-schema.ts issueText).
    [
      'a connection without a target',
      (d) => delete d.graph.edges[1].target,
      'connection "e2", field "target": must be an object, got nothing',
    ],
    [
      'a connection end without a port',
      (d) => delete (d.graph.edges[1].source as Record<string, unknown>).port,
      'connection "e2", field "source.port": must be non-empty text, got nothing',
    ],
    [
      'a connection that is not an object',
      (d) => (d.graph.edges[0] = [] as unknown as Record<string, unknown>),
      'connection #1: must be an object, got []',
    ],
    [
      'a task without a name',
      (d) => delete (d.data as { tasks: Record<string, unknown>[] }).tasks[0].name,
      'data binding, task #1, field "name": must be non-empty text, got nothing',
    ],
    [
      'a task without a column',
      (d) => delete (d.data as { tasks: Record<string, unknown>[] }).tasks[1].column,
      'data binding, task "purchase", field "column": must be non-empty text, got nothing',
    ],
    [
      'an excluded column that is not text',
      (d) => ((d.data as Record<string, unknown>).excluded = ['a', 3]),
      'data binding, excluded column #2: must be non-empty text, got 3',
    ],
    [
      'a split that is not an object',
      (d) => ((d.training as Record<string, unknown>).split = 'random'),
      'training settings, field "split": must be an object, got "random"',
    ],
    [
      'a label that is not text',
      (d) => (d.graph.blocks[2].label = 7),
      'block "tower-click", field "label": must be text, got 7',
    ],
    [
      'no graph',
      (d) => delete (d as Record<string, unknown>).graph,
      'field "graph": must be an object, got nothing',
    ],
  ])('refuses %s', (_what, breakIt, message) => {
    const d = doc();
    breakIt(d);
    const e = thrown(parse(d));
    expect(e.message.startsWith('demo.htlnet.json: ')).toBe(true);
    expect(e.message).toContain(message);
  });

  it('names the line and column of the offending value when reading a file', () => {
    const text = serializeProject(chain()).replace('"dropout": 0', '"dropout": 1.5');
    const e = thrown(() => readProject(text, 'demo.htlnet.json'));
    const line = text.split('\n').findIndex((l) => l.includes('"dropout": 1.5')) + 1;
    const column = text.split('\n')[line - 1].indexOf('1.5') + 1;
    expect(e.message).toBe(
      `demo.htlnet.json, line ${line}, column ${column}: block "tower-click" (Click tower), parameter "dropout": must be a number between 0 and 0.9, got 1.5.`,
    );
    expect(e.where).toMatchObject({ file: 'demo.htlnet.json', line, block: 'tower-click' });
    // A missing field: where the object that lacks it starts.
    const noName = text.replace(/\n {2}"name": .*\n/, '\n');
    expect(thrown(() => readProject(noName, 'p.json')).message).toBe(
      'p.json, line 1, column 1: field "name": must be text, got nothing.',
    );
  });

  it('locates a path in JSON text through strings, lists and nesting', () => {
    const t = '{\n  "a": [1, {"b": "x\\"y]"}, 3],\n  "c": {"d": null}\n}';
    expect(locateJsonPath(t, ['a', 1, 'b'])).toEqual({ line: 2, column: 18 });
    expect(locateJsonPath(t, ['a', 2])).toEqual({ line: 2, column: 28 });
    expect(locateJsonPath(t, ['c', 'd'])).toEqual({ line: 3, column: 14 });
    expect(locateJsonPath(t, ['c', 'zz'])).toEqual({ line: 3, column: 8 });
    expect(locateJsonPath(t, [])).toEqual({ line: 1, column: 1 });
  });

  it('gives the editor the block, field or column of an issue', () => {
    const where = (breakIt: (d: ReturnType<typeof doc>) => void) => {
      const d = doc();
      breakIt(d);
      return thrown(parse(d)).where;
    };
    expect(where((d) => (d.graph.blocks[0].position = { x: 'left', y: 0 }))).toEqual({
      file: 'demo.htlnet.json',
      block: 'features',
      field: 'position',
    });
    expect(where((d) => ((d.graph.edges[1].target as { port: string }).port = 'input'))).toEqual({
      file: 'demo.htlnet.json',
      block: 'tower-click',
      field: 'input',
    });
    expect(where((d) => (d.graph.blocks[3].id = 'tower-click'))).toEqual({
      file: 'demo.htlnet.json',
      block: 'tower-click',
      field: 'id',
    });
    expect(
      where((d) => ((d.data as { features: { column: string }[] }).features[1].column = 'user')),
    ).toEqual({ file: 'demo.htlnet.json', column: 'user' });
  });

  it('fills missing parameters with catalog defaults and drops unknown ones with a warning', () => {
    const d = doc();
    d.graph.blocks[2].params = { units: '64,32', dropuot: 0.2 };
    delete d.graph.blocks[8].params;
    d.extra = true;
    const loaded = readProject(JSON.stringify(d), 'demo.htlnet.json');
    const tower = loaded.project.graph.blocks[2];
    expect(tower.params).toEqual({ units: '64,32', activation: 'relu', dropout: 0 });
    expect(loaded.project.graph.blocks[8].params.adjustment).toBe('htlnet');
    expect(loaded.warnings).toEqual([
      'demo.htlnet.json: project: unknown field "extra" ignored.',
      'demo.htlnet.json: block "tower-click" (Click tower): unknown parameter "dropuot" dropped.',
    ]);
    expect(loaded.migratedFrom).toBeNull();
  });

  it('leaves graph-level problems to validateGraph (a half-built graph still opens)', () => {
    const d = doc();
    d.graph.blocks[2].params = { units: '64,,32' };
    d.graph.edges.pop();
    const p = validateProjectDocument(d);
    expect(validateGraph(p).map((x) => x.code)).toEqual(
      expect.arrayContaining(['param-malformed', 'missing-input']),
    );
  });
});

describe('serializeProject', () => {
  const projects: [string, ProjectFile][] = [
    ...TEMPLATE_KINDS.map(({ kind }): [string, ProjectFile] => [
      kind,
      buildTemplate(kind, binding(['click:binary', 'stay:regression', 'buy:binary'])),
    ]),
    ['sketch', chain()],
  ];

  it.each(projects)('round-trips %s: parse(serialize(p)) equals p', (_kind, p) => {
    const text = serializeProject(p);
    expect(parseProject(text)).toEqual(p);
    expect(serializeProject(parseProject(text))).toBe(text);
  });

  it('writes keys in a fixed order, 2-space indented, with a trailing newline', () => {
    const p = chain();
    p.data.source = 'shop.csv';
    p.training = { split: { kind: 'time', column: 'ts' }, fractions: [0.7, 0.2, 0.1] };
    // Keys given in another order come out in the fixed one.
    const shuffled = JSON.parse(JSON.stringify(p), (_k, v) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).reverse())
        : v,
    );
    const text = serializeProject(shuffled);
    expect(text).toBe(serializeProject(p));
    expect(text.endsWith('}\n')).toBe(true);
    const raw = JSON.parse(text);
    expect(Object.keys(raw)).toEqual(['format', 'version', 'name', 'graph', 'data', 'training']);
    expect(Object.keys(raw.graph.blocks[2])).toEqual(['id', 'type', 'label', 'params', 'position']);
    expect(Object.keys(raw.graph.blocks[2].params)).toEqual(['units', 'activation', 'dropout']);
    expect(Object.keys(raw.graph.edges[0])).toEqual(['id', 'source', 'target']);
    expect(Object.keys(raw.data)).toEqual(['source', 'features', 'tasks', 'excluded']);
    expect(Object.keys(raw.training.split)).toEqual(['kind', 'column']);
    expect(text).toContain('\n  "graph": {\n    "blocks": [\n      {\n        "id": "features",');
    expect(text).toContain('"fractions": [0.7, 0.2, 0.1]');
  });

  it('leaves out a missing label and source', () => {
    const p = chain();
    delete p.graph.blocks[0].label;
    const raw = JSON.parse(serializeProject(p));
    expect('label' in raw.graph.blocks[0]).toBe(false);
    expect('source' in raw.data).toBe(false);
    expect(parseProject(serializeProject(p))).toEqual(p);
  });
});

describe('the types derived from the schema (checked by npm run typecheck)', () => {
  it('keep the shapes the code was written against', () => {
    expectTypeOf<Block>().toEqualTypeOf<{
      id: string;
      type: BlockType;
      label?: string | undefined;
      params: Record<string, string | number | boolean>;
      position: { x: number; y: number };
    }>();
    expectTypeOf<SplitSetting>().toEqualTypeOf<
      { kind: 'random' } | { kind: 'time'; column: string }
    >();
    expectTypeOf<TaskBinding>().toEqualTypeOf<{
      name: string;
      column: string;
      type: 'binary' | 'regression';
    }>();
    expectTypeOf<ProjectFile['format']>().toEqualTypeOf<'htlnet-studio-project'>();
    expectTypeOf<ProjectFile['training']['fractions']>().toEqualTypeOf<[number, number, number]>();
    expectTypeOf<ProjectFile['data']['source']>().toEqualTypeOf<string | undefined>();
  });
});
