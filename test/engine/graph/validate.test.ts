import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src-main/engine/errors';
import {
  checkConnection,
  featureColumnsOf,
  fieldSpecs,
  headsByTask,
  incoming,
  taskOfHead,
  topologicalOrder,
  validateGraph,
} from '../../../src-main/engine/graph/validate';
import type { Problem } from '../../../src-main/shared/problems';
import type { ProjectFile } from '../../../src-main/shared/project';
import { binding, block, chain, extend, removeEdge, sketch } from './sketch';

/** The problems with one code. */
function withCode(project: ProjectFile, code: string): Problem[] {
  return validateGraph(project).filter((p) => p.code === code);
}

/** The one problem with a code (failing when there is not exactly one). */
function one(project: ProjectFile, code: string): Problem {
  const found = withCode(project, code);
  expect(found, `problems: ${JSON.stringify(validateGraph(project), null, 1)}`).toHaveLength(1);
  return found[0];
}

/** A three-task chain: click → purchase (binary), amount (regression), towers from the embedding. */
function threeTasks(): ProjectFile {
  const p = chain();
  p.data = binding(['click:binary', 'purchase:binary', 'amount:regression']);
  return extend(
    p,
    [
      ['tower-amount', 'tower', { units: '32' }, 'Amount tower'],
      ['head-amount', 'task-head', { task: 'amount', kind: 'regression' }, 'Amount head'],
    ],
    ['embedding.embedding -> tower-amount.in', 'tower-amount.out -> head-amount.in'],
  );
}

describe('validateGraph', () => {
  it('finds nothing wrong in a valid chain', () => {
    expect(validateGraph(chain())).toEqual([]);
    expect(validateGraph(threeTasks())).toEqual([]);
  });

  it('names the blocks of a cycle', () => {
    const p = extend(chain(), [], ['tower-purchase.out -> tower-click.in']);
    const problem = one(p, 'cycle');
    expect(problem.severity).toBe('error');
    expect(problem.blocks).toEqual(['tower-click', 'fusion-purchase', 'tower-purchase']);
    expect(problem.message).toBe(
      'These blocks form a cycle: Click tower → Purchase fusion → Purchase tower → Click tower. Remove one of these connections.',
    );
  });

  it('reports a block connected to itself as a cycle', () => {
    const p = extend(chain(), [], ['tower-click.out -> tower-click.in']);
    expect(one(p, 'cycle').blocks).toEqual(['tower-click']);
  });

  it('reports an unconnected required input', () => {
    const p = removeEdge(chain(), 'embedding.embedding -> tower-click.in');
    const problem = one(p, 'missing-input');
    expect(problem.blocks).toEqual(['tower-click']);
    expect(problem.message).toBe('Click tower needs a connection on its "input" port.');
  });

  it('reports a port type mismatch on an edge', () => {
    const p = extend(chain(), [], ['head-click.prediction -> tower-purchase.in']);
    const problem = one(p, 'port-type-mismatch');
    expect(problem.blocks).toEqual(['head-click', 'tower-purchase']);
    expect(problem.edge).toBe('e10');
    expect(problem.message).toBe(
      'Click head → Purchase tower: a binary prediction cannot connect to a vector input.',
    );
  });

  it('reports more than one connection on a single input', () => {
    const p = extend(
      chain(),
      [['esmm-purchase', 'esmm-link', {}, 'Purchase ESMM link']],
      [
        'head-click.prediction -> esmm-purchase.prior',
        'head-purchase.prediction -> esmm-purchase.conditional',
        'head-purchase.prediction -> esmm-purchase.prior',
      ],
    );
    const problem = one(p, 'too-many-connections');
    expect(problem.blocks).toEqual(['esmm-purchase', 'head-click', 'head-purchase']);
    expect(problem.message).toBe(
      'Purchase ESMM link\'s "prior" port takes one connection but has 2 (from Click head and Purchase head).',
    );
  });

  it('reports a fusion unit with neither reps nor labels connected', () => {
    const p = removeEdge(
      removeEdge(chain(), 'tower-click.out -> fusion-purchase.reps'),
      'leu-click.label -> fusion-purchase.labels',
    );
    expect(one(p, 'fusion-without-inputs').blocks).toEqual(['fusion-purchase']);
    // The LEU now feeds nothing.
    const unused = one(p, 'unused');
    expect(unused).toMatchObject({ severity: 'warning', blocks: ['leu-click'] });
  });

  it('reports a head without a target and the task left without a head', () => {
    const p = chain();
    block(p, 'head-purchase').params.task = '';
    expect(one(p, 'head-without-target')).toMatchObject({
      blocks: ['head-purchase'],
      field: 'task',
      message: 'Purchase head has no target: choose the task it predicts.',
    });
    expect(one(p, 'task-without-head')).toMatchObject({
      blocks: [],
      message: 'Task "purchase" has no task head: add one that predicts it.',
    });
    block(p, 'head-purchase').params.task = 'buy';
    expect(one(p, 'head-without-target').message).toBe(
      'Purchase head predicts "buy", which is not a task of the data binding (tasks: click, purchase).',
    );
  });

  it('reports two heads for one task', () => {
    const p = extend(
      chain(),
      [['head-click-2', 'task-head', { task: 'click' }, 'Second click head']],
      ['tower-click.out -> head-click-2.in'],
    );
    const problem = one(p, 'duplicate-head');
    expect(problem.blocks).toEqual(['head-click', 'head-click-2']);
    expect(problem.message).toBe(
      'Task "click" has 2 heads (Click head and Second click head); keep one.',
    );
  });

  it('reports a head whose kind differs from its task type', () => {
    const p = chain();
    block(p, 'head-purchase').params.kind = 'regression';
    expect(one(p, 'head-kind-mismatch')).toMatchObject({
      blocks: ['head-purchase'],
      field: 'kind',
      message:
        'Purchase head is a regression head, but task "purchase" is binary: set its kind to binary.',
    });
  });

  it('says "an LEU on a regression task" in words', () => {
    const p = extend(
      threeTasks(),
      [['leu-amount', 'label-embedding', {}, 'Amount LEU']],
      ['head-amount.prediction -> leu-amount.prediction'],
    );
    const problem = one(p, 'leu-on-regression');
    expect(problem.blocks).toEqual(['leu-amount', 'head-amount']);
    expect(problem.message).toContain('Amount LEU is an LEU on a regression task');
    // Said once, in words, rather than also as a bare port type mismatch.
    expect(withCode(p, 'port-type-mismatch')).toEqual([]);
    // A binary-kind head on a regression task is the same mistake.
    const q = extend(
      threeTasks(),
      [['leu-amount', 'label-embedding', {}, 'Amount LEU']],
      ['head-amount.prediction -> leu-amount.prediction'],
    );
    block(q, 'head-amount').params.kind = 'binary';
    expect(one(q, 'leu-on-regression').blocks).toEqual(['leu-amount', 'head-amount']);
  });

  it('reports an ESMM link whose prior is not an earlier task', () => {
    const linked = (prior: string, conditional: string) =>
      extend(
        chain(),
        [['esmm', 'esmm-link', {}, 'ESMM link']],
        [`${prior}.prediction -> esmm.prior`, `${conditional}.prediction -> esmm.conditional`],
      );
    expect(validateGraph(linked('head-click', 'head-purchase'))).toEqual([]);
    const problem = one(linked('head-purchase', 'head-click'), 'esmm-prior-order');
    expect(problem.blocks).toEqual(['esmm', 'head-purchase', 'head-click']);
    expect(problem.message).toBe(
      'ESMM link takes "purchase" (task 2) as the prior of "click" (task 1): the prior must be an earlier task in chain order.',
    );
    expect(withCode(linked('head-click', 'head-click'), 'esmm-prior-order')).toHaveLength(1);
  });

  it('follows a chain of ESMM links to their tasks', () => {
    const p = binding(['a:binary', 'b:binary', 'c:binary']);
    const base = sketch(
      p,
      [
        ['features', 'feature-input'],
        ['embedding', 'shared-embedding'],
        ['head-a', 'task-head', { task: 'a' }],
        ['head-b', 'task-head', { task: 'b' }],
        ['head-c', 'task-head', { task: 'c' }],
        ['link-b', 'esmm-link'],
        ['link-c', 'esmm-link'],
        ['optimizer', 'optimizer'],
      ],
      [
        'features.features -> embedding.features',
        'embedding.embedding -> head-a.in',
        'embedding.embedding -> head-b.in',
        'embedding.embedding -> head-c.in',
        'head-a.prediction -> link-b.prior',
        'head-b.prediction -> link-b.conditional',
        'link-b.prediction -> link-c.prior',
        'head-c.prediction -> link-c.conditional',
      ],
    );
    expect(validateGraph(base)).toEqual([]);
    // Chaining c as the prior of b's link: the prior (c) comes after the conditional (b).
    const swapped = structuredClone(base);
    swapped.graph.edges[4].source.block = 'head-c';
    expect(one(swapped, 'esmm-prior-order').blocks).toEqual(['link-b', 'head-c', 'head-b']);
  });

  it('reports a prediction chained by two ESMM links', () => {
    const p = extend(
      chain(),
      [
        ['esmm-1', 'esmm-link', {}, 'First link'],
        ['esmm-2', 'esmm-link', {}, 'Second link'],
      ],
      [
        'head-click.prediction -> esmm-1.prior',
        'head-purchase.prediction -> esmm-1.conditional',
        'head-click.prediction -> esmm-2.prior',
        'head-purchase.prediction -> esmm-2.conditional',
      ],
    );
    expect(one(p, 'esmm-ambiguous').blocks).toEqual(['head-purchase', 'esmm-1', 'esmm-2']);
  });

  it('reports a fusion unit fed by a later task', () => {
    const p = extend(threeTasks(), [], ['tower-amount.out -> fusion-purchase.reps']);
    const problem = one(p, 'fusion-order');
    expect(problem.blocks).toEqual(['fusion-purchase', 'tower-amount']);
    expect(problem.message).toBe(
      'Purchase fusion serves "purchase" (task 2) but is fed by Amount tower from a later task, "amount" (task 3): information must flow forward in chain order.',
    );
  });

  it('reports a fusion unit fed by the label embedding of a later task', () => {
    const p = threeTasks();
    p.data.tasks[2].type = 'binary';
    block(p, 'head-amount').params.kind = 'binary';
    extend(
      p,
      [['leu-amount', 'label-embedding', {}, 'Amount LEU']],
      [
        'head-amount.prediction -> leu-amount.prediction',
        'leu-amount.label -> fusion-purchase.labels',
      ],
    );
    expect(one(p, 'fusion-order')).toMatchObject({
      blocks: ['fusion-purchase', 'leu-amount'],
      message:
        'Purchase fusion serves "purchase" (task 2) but is fed by Amount LEU from a later task, "amount" (task 3): information must flow forward in chain order.',
    });
  });

  it('reports a fusion unit fed by the same task', () => {
    const p = extend(
      chain(),
      [['fusion-click', 'fusion', {}, 'Click fusion']],
      ['tower-click.out -> fusion-click.reps', 'fusion-click.out -> head-click.in'],
    );
    const problem = one(p, 'fusion-order');
    expect(problem.blocks).toEqual(['fusion-click', 'tower-click']);
    expect(problem.message).toContain('from the same task, "click" (task 1)');
  });

  it("allows a fusion unit over a task's own representation (AITM)", () => {
    const p = removeEdge(chain(), 'tower-purchase.out -> head-purchase.in');
    extend(
      p,
      [['fusion-aitm', 'fusion', {}, 'Purchase transfer']],
      [
        'tower-click.out -> fusion-aitm.reps',
        'tower-purchase.out -> fusion-aitm.reps',
        'fusion-aitm.out -> head-purchase.in',
      ],
    );
    expect(validateGraph(p)).toEqual([]);
  });

  it('reports a feature input naming a column that is not a bound feature', () => {
    const p = chain();
    p.data.excluded = ['session'];
    block(p, 'features').params.columns = 'user, prize, click, session';
    const problems = withCode(p, 'unknown-feature-column');
    expect(problems.map((x) => x.message)).toEqual([
      'Features names column "prize", which is not a bound feature.',
      'Features names column "click", which is a task target, not a feature.',
      'Features names column "session", which is excluded in the data binding.',
    ]);
    expect(problems[0]).toMatchObject({ blocks: ['features'], field: 'columns' });
  });

  it('reports a numeric feature input when no numeric feature is bound', () => {
    const p = chain();
    p.data = binding(['click:binary', 'purchase:binary'], ['user:categorical', 'item:categorical']);
    extend(
      p,
      [['numbers', 'feature-input', { kind: 'numeric' }, 'Numbers']],
      ['numbers.features -> embedding.features'],
    );
    expect(one(p, 'no-numeric-features')).toMatchObject({
      blocks: ['numbers'],
      message: 'Numbers provides numeric columns, but the data binding has no numeric features.',
    });
    block(p, 'numbers').params.kind = 'categorical';
    expect(validateGraph(p)).toEqual([]);
  });

  it('reports a missing or duplicated optimizer', () => {
    const none = chain();
    none.graph.blocks = none.graph.blocks.filter((b) => b.type !== 'optimizer');
    expect(one(none, 'missing-optimizer').blocks).toEqual([]);
    const two = extend(chain(), [['optimizer-2', 'optimizer', {}, 'Second optimizer']]);
    expect(one(two, 'duplicate-optimizer')).toMatchObject({
      blocks: ['optimizer', 'optimizer-2'],
      message:
        'The graph has 2 optimizer blocks (Optimizer and Second optimizer); keep exactly one.',
    });
  });

  it('reports a graph with no task head, and a binding with no task', () => {
    const p = sketch(
      binding([]),
      [
        ['features', 'feature-input'],
        ['optimizer', 'optimizer'],
      ],
      [],
    );
    expect(one(p, 'no-heads').blocks).toEqual([]);
    expect(one(p, 'no-tasks').message).toBe(
      'The data binding has no task: choose at least one target column.',
    );
  });

  it('warns about blocks whose output reaches no head', () => {
    const p = extend(
      chain(),
      [
        ['tower-spare', 'tower', {}, 'Spare tower'],
        ['head-spare', 'task-head', {}, 'Spare head'],
      ],
      ['embedding.embedding -> tower-spare.in'],
    );
    const unused = withCode(p, 'unused');
    expect(unused).toEqual([
      {
        severity: 'warning',
        code: 'unused',
        message:
          'Spare tower is unused: its output reaches no task head, so it affects no prediction.',
        blocks: ['tower-spare'],
      },
    ]);
    // Errors come before warnings.
    const all = validateGraph(p);
    expect(all[all.length - 1].severity).toBe('warning');
    expect(all[0].severity).toBe('error');
  });

  it.each([
    [
      'tower-click',
      'dropout',
      1.5,
      'param-out-of-range',
      'Click tower: Dropout must be a number between 0 and 0.9, got 1.5.',
    ],
    [
      'embedding',
      'dim',
      16.5,
      'param-out-of-range',
      'Embedding: Embedding size must be a whole number between 1 and 512, got 16.5.',
    ],
    [
      'optimizer',
      'learningRate',
      0,
      'param-out-of-range',
      'Optimizer: Learning rate must be a number greater than 0 and at most 10, got 0.',
    ],
    [
      'tower-click',
      'units',
      '128,,64',
      'param-malformed',
      'Click tower: Layer sizes must be layer sizes separated by commas',
    ],
    ['tower-click', 'units', '128,0', 'param-malformed', 'got "128,0"'],
    [
      'tower-click',
      'units',
      ' ',
      'param-malformed',
      'Click tower: Layer sizes must list at least one layer size',
    ],
    ['tower-click', 'activation', 'swish', 'param-malformed', 'must be one of "relu", "gelu"'],
    [
      'leu-click',
      'gumbel',
      'yes',
      'param-malformed',
      'Click LEU: Gumbel noise must be true or false, got "yes".',
    ],
  ])('reports %s %s = %j', (id, param, value, code, message) => {
    const p = chain();
    block(p, id).params[param] = value;
    const problem = one(p, code);
    expect(problem).toMatchObject({ blocks: [id], field: param, severity: 'error' });
    expect(problem.message).toContain(message);
  });

  it('accepts layer lists with spaces', () => {
    const p = chain();
    block(p, 'tower-click').params.units = ' 64 , 32 ';
    expect(validateGraph(p)).toEqual([]);
  });

  it('reports fusion inputs of different widths in attention mode', () => {
    const p = extend(
      threeTasks(),
      [['fusion-amount', 'fusion', {}, 'Amount fusion']],
      [
        'tower-click.out -> fusion-amount.reps',
        'tower-purchase.out -> fusion-amount.reps',
        'fusion-amount.out -> tower-amount.in',
      ],
    );
    block(p, 'tower-purchase').params.units = '64';
    const problem = one(p, 'fusion-width-mismatch');
    expect(problem.blocks).toEqual(['fusion-amount', 'tower-click', 'tower-purchase']);
    expect(problem.message).toBe(
      'Amount fusion fuses representations of different widths with attention: Click tower (32) and Purchase tower (64). Make them the same width or use concatenation.',
    );
    block(p, 'fusion-amount').params.mode = 'concat';
    expect(withCode(p, 'fusion-width-mismatch')).toEqual([]);
  });

  it('reports gate experts of different widths', () => {
    const p = sketch(
      binding(['click:binary']),
      [
        ['features', 'feature-input'],
        ['embedding', 'shared-embedding'],
        ['experts-a', 'expert-group', { units: '64,32' }, 'Experts A'],
        ['experts-b', 'expert-group', { units: '64,16' }, 'Experts B'],
        ['gate', 'gate', {}, 'Click gate'],
        ['head', 'task-head', { task: 'click' }],
        ['optimizer', 'optimizer'],
      ],
      [
        'features.features -> embedding.features',
        'embedding.embedding -> experts-a.in',
        'embedding.embedding -> experts-b.in',
        'experts-a.experts -> gate.experts',
        'experts-b.experts -> gate.experts',
        'embedding.embedding -> gate.selector',
        'gate.out -> head.in',
      ],
    );
    expect(one(p, 'gate-width-mismatch')).toMatchObject({
      blocks: ['gate', 'experts-a', 'experts-b'],
      message:
        'Click gate chooses between experts of different widths: Experts A (32) and Experts B (16). Give the expert groups the same last layer size.',
    });
    block(p, 'experts-b').params.units = '32';
    expect(validateGraph(p)).toEqual([]);
  });

  it('reports unknown block types, duplicate ids and dangling edges without throwing', () => {
    const p = chain();
    p.graph.blocks.push({ id: 'x', type: 'towr' as never, params: {}, position: { x: 0, y: 0 } });
    p.graph.blocks.push({ ...structuredClone(block(p, 'tower-click')), label: 'Copy' });
    p.graph.edges.push({
      id: 'bad',
      source: { block: 'tower-click', port: 'out' },
      target: { block: 'gone', port: 'in' },
    });
    p.graph.edges.push({
      id: 'bad-port',
      source: { block: 'tower-click', port: 'out' },
      target: { block: 'head-click', port: 'input' },
    });
    expect(one(p, 'unknown-block-type').blocks).toEqual(['x']);
    expect(one(p, 'duplicate-block-id').blocks).toEqual(['tower-click']);
    expect(withCode(p, 'dangling-edge').map((x) => [x.edge, x.message])).toEqual([
      ['bad', 'Connection "bad" goes to a block "gone" that does not exist; remove it.'],
      [
        'bad-port',
        'Connection "bad-port" goes to an input "input" that Click head does not have; remove it.',
      ],
    ]);
  });

  it('names unlabelled blocks by title and id', () => {
    const p = chain();
    delete block(p, 'tower-click').label;
    block(p, 'tower-click').params.dropout = 2;
    expect(one(p, 'param-out-of-range').message).toMatch(/^Tower "tower-click": Dropout/);
  });

  it('reports a binding without features', () => {
    const p = chain();
    p.data.features = [];
    expect(one(p, 'no-features').blocks).toEqual([]);
  });

  it('is fast enough to run on every edit', () => {
    // A wide graph: 40 tasks chained HTLNet-style (about 160 blocks, 900 edges).
    const tasks = Array.from({ length: 40 }, (_, i) => `t${i}:binary`);
    const blocks: [string, 'feature-input' | 'shared-embedding' | 'optimizer'][] = [
      ['features', 'feature-input'],
      ['embedding', 'shared-embedding'],
      ['optimizer', 'optimizer'],
    ];
    const p = sketch(binding(tasks), blocks, ['features.features -> embedding.features']);
    for (let t = 0; t < 40; t++) {
      const more: string[] = [
        `embedding.embedding -> tower-${t}.in`,
        `tower-${t}.out -> head-${t}.in`,
        `head-${t}.prediction -> leu-${t}.prediction`,
      ];
      if (t > 0) {
        more.push(`fusion-${t}.out -> tower-${t}.in`);
        for (let j = 0; j < t; j++)
          more.push(`tower-${j}.out -> fusion-${t}.reps`, `leu-${j}.label -> fusion-${t}.labels`);
      }
      extend(
        p,
        [
          ...(t > 0 ? [[`fusion-${t}`, 'fusion'] as [string, 'fusion']] : []),
          [`tower-${t}`, 'tower'],
          [`head-${t}`, 'task-head', { task: `t${t}` }],
          [`leu-${t}`, 'label-embedding'],
        ],
        more,
      );
    }
    // No timing here (machines are noisy): a quadratic rule shows as this test taking minutes.
    const problems = validateGraph(p);
    expect(problems.map((x) => x.code)).toEqual(['unused']); // the last task's LEU
  });
});

describe('checkConnection', () => {
  const p = chain();
  const check = (from: string, to: string) => {
    const [sb, sp] = from.split('.');
    const [tb, tp] = to.split('.');
    return checkConnection(p, { block: sb, port: sp }, { block: tb, port: tp });
  };

  it('accepts a valid connection', () => {
    expect(check('tower-click.out', 'head-purchase.in')).toEqual({ isValid: true });
    expect(check('embedding.embedding', 'fusion-purchase.reps')).toEqual({ isValid: true });
  });

  // One wording with the editor's drag check (shared/validity/connection.ts), with a code.
  const no = (code: string, reason: string) => ({ isValid: false, code, reason });

  it('refuses a wrong type', () => {
    expect(check('head-click.prediction', 'tower-purchase.in')).toEqual(
      no('type', 'Wrong type: a binary prediction cannot connect to a vector input.'),
    );
    expect(check('tower-click.out', 'fusion-purchase.labels')).toEqual(
      no('type', 'Wrong type: a vector cannot connect to a label embedding input.'),
    );
    expect(check('features.features', 'tower-click.in')).toMatchObject({
      reason: 'Wrong type: a feature set cannot connect to a vector input.',
    });
  });

  it('refuses a connection that would make a cycle', () => {
    expect(check('tower-purchase.out', 'tower-click.in')).toEqual(
      no(
        'cycle',
        'Would make a cycle: Click tower → Purchase fusion → Purchase tower → Click tower.',
      ),
    );
  });

  it('refuses a second connection on a single input, and a repeated one', () => {
    expect(check('head-purchase.prediction', 'leu-click.prediction')).toEqual(
      no(
        'occupied',
        'Port already connected: Click LEU\'s "prediction" takes one connection and has one from Click head.',
      ),
    );
    expect(check('embedding.embedding', 'tower-click.in')).toEqual(
      no('duplicate', 'Embedding is already connected to Click tower\'s "input".'),
    );
  });

  it('refuses connecting a block to itself', () => {
    expect(check('tower-click.out', 'tower-click.in')).toEqual(
      no('self', 'A block cannot connect to itself.'),
    );
  });

  it('refuses unknown ports and blocks', () => {
    expect(check('tower-click.output', 'head-purchase.in')).toEqual(
      no(
        'direction',
        'Connect an output (right side) to an input (left side): Click tower has no output "output".',
      ),
    );
    expect(check('tower-click.out', 'head-purchase.out')).toEqual(
      no(
        'direction',
        'Connect an output (right side) to an input (left side): Purchase head has no input "out".',
      ),
    );
    expect(check('nothing.out', 'head-purchase.in')).toEqual(
      no('missing', 'There is no block "nothing".'),
    );
  });
});

describe('graph helpers', () => {
  it('orders blocks topologically, ties in graph order', () => {
    const p = chain();
    // Put the optimizer and the purchase head first: order must still follow the edges.
    p.graph.blocks.unshift(...p.graph.blocks.splice(7, 2));
    expect(topologicalOrder(p.graph).map((b) => b.id)).toEqual([
      'optimizer',
      'features',
      'embedding',
      'tower-click',
      'head-click',
      'leu-click',
      'fusion-purchase',
      'tower-purchase',
      'head-purchase',
    ]);
  });

  it('throws a UserError naming the blocks of a cycle', () => {
    const p = extend(chain(), [], ['tower-purchase.out -> tower-click.in']);
    expect(() => topologicalOrder(p.graph)).toThrow(UserError);
    expect(() => topologicalOrder(p.graph)).toThrow(
      'The model graph has a cycle: Click tower → Purchase fusion → Purchase tower → Click tower.',
    );
  });

  it('lists the edges into a port in connection order', () => {
    const p = chain();
    expect(incoming(p.graph, 'tower-purchase', 'in').map((e) => e.source.block)).toEqual([
      'fusion-purchase',
      'embedding',
    ]);
    expect(incoming(p.graph, 'tower-purchase', 'other')).toEqual([]);
  });

  it('maps tasks to heads in chain order', () => {
    const p = chain();
    p.graph.blocks.reverse();
    const heads = headsByTask(p);
    expect([...heads.keys()]).toEqual(['click', 'purchase']);
    expect(heads.get('purchase')!.id).toBe('head-purchase');
    expect(taskOfHead(p, block(p, 'head-click'))).toEqual({
      name: 'click',
      column: 'click',
      type: 'binary',
    });
    block(p, 'head-click').params.task = 'nope';
    expect(taskOfHead(p, block(p, 'head-click'))).toBeUndefined();
  });

  it('gives the bound features a feature input provides', () => {
    const p = chain();
    const input = block(p, 'features');
    expect(featureColumnsOf(p, input).map((f) => f.column)).toEqual(['user', 'item', 'price']);
    input.params.kind = 'numeric';
    expect(featureColumnsOf(p, input).map((f) => f.column)).toEqual(['price']);
    input.params.kind = 'categorical';
    expect(featureColumnsOf(p, input).map((f) => f.column)).toEqual(['user', 'item']);
    input.params.columns = 'price, user, nope, price';
    expect(featureColumnsOf(p, input)).toEqual([
      { column: 'price', kind: 'numeric' },
      { column: 'user', kind: 'categorical' },
    ]);
  });

  it('lists the fields of every shared embedding, a column shared by two inputs once', () => {
    const p = chain();
    block(p, 'features').params.kind = 'categorical';
    extend(
      p,
      [
        ['numbers', 'feature-input', { kind: 'numeric', numericEncoding: 'buckets', buckets: 32 }],
        ['both', 'feature-input', { columns: 'item,price', numericEncoding: 'linear' }],
        ['embedding-2', 'shared-embedding'],
      ],
      [
        'numbers.features -> embedding.features',
        'both.features -> embedding.features',
        'both.features -> embedding-2.features',
      ],
    );
    const specs = fieldSpecs(p);
    expect([...specs.keys()]).toEqual(['embedding', 'embedding-2']);
    expect(specs.get('embedding')).toEqual([
      { column: 'user', kind: 'categorical', encoding: 'vocab', buckets: 0 },
      { column: 'item', kind: 'categorical', encoding: 'vocab', buckets: 0 },
      { column: 'price', kind: 'numeric', encoding: 'buckets', buckets: 32 },
    ]);
    expect(specs.get('embedding-2')).toEqual([
      { column: 'item', kind: 'categorical', encoding: 'vocab', buckets: 0 },
      { column: 'price', kind: 'numeric', encoding: 'linear', buckets: 0 },
    ]);
  });
});
