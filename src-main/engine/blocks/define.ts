// What a block module is: everything the engine knows about one block, in one place, the way
// tfjs-layers keeps a layer in one class. A module pairs the block's catalog entry (data the
// renderer reads, in shared/blocks/) with its behaviour on each path:
//   outputDims  the output shape shown on the canvas and checked by the validator
//   params      the dense parameters it creates (names, shapes, initialisers, in order)
//   forward     the tfjs reference forward pass (what the exactness tests compare against)
//   lower       the program ops for the fast executor (model/program.ts)
//   onnx        the ONNX nodes of its eval-mode forward pass (export/onnx/lower.ts)
//   check       its own validity rules beyond ports and parameters (graph/validate.ts)
//   memory      what it adds to a training run's memory estimate (resources.ts)
// Each path hands the module a context with the path's helpers, and tfjs and the ONNX graph
// builder come in through those contexts, so this file and the modules import neither at run
// time. The generic code (model.ts, program.ts, shapes.ts, onnx/lower.ts, validate.ts) walks the
// graph and asks the registry (blocks/index.ts) for each block's module.

import type * as tfc from '@tensorflow/tfjs-core';
import type { BlockSpec } from '../../shared/blocks/spec';
import type { BlockType, InputPortName, ParamsOf, PortType } from '../../shared/catalog';
import type { Dim, Problem } from '../../shared/problems';
import type { Block, Edge, ParamValue, ProjectFile } from '../../shared/project';
import type { FieldSpec } from '../data/types';
import type { GraphIndex } from '../graph/graph';
import type { Rng } from '../../shared/random';
import type * as opsModule from '../model/ops';
import type { DenseLayer, InputPart, NoiseSpec, Op, ValueKind } from '../model/program';
import type { OnnxGraphBuilder } from '../export/onnx/graph';

/** An input port's name: checked against the catalog entry for a known block type. */
type InputPort<T extends string> = T extends BlockType ? InputPortName<T> : string;

/** A block's parameters, every one filled from the catalog default. */
type Params = Record<string, ParamValue>;

/**
 * A module's view of its block's parameters: typed from its catalog entry for a known block
 * type (ParamsOf), so a renamed or mistyped parameter fails typecheck. The generic code hands
 * every module withDefaults' record of a block the project-file reader has checked; the
 * registry's type (blocks/index.ts) pairs each block with the module of its type.
 */
type BlockParams<T extends string> = T extends BlockType ? ParamsOf<T> : Params;

/** Activations the executor implements (every one the catalog offers). */
export const ACTIVATIONS: ReadonlySet<string> = new Set([
  'relu',
  'linear',
  'tanh',
  'sigmoid',
  'gelu',
]);

// ---- shapes ----

interface ShapeContext<T extends string = string> {
  project: ProjectFile;
  index: GraphIndex;
  block: Block;
  params: BlockParams<T>;
  /** The bound feature fields of each shared embedding. */
  fields: Map<string, FieldSpec[]>;
  /** No data is bound yet (widths of embeddings are symbols). */
  noBinding: boolean;
  /** The output dims of each block connected to an input port, in connection order. */
  inputDims(port: InputPort<T>): Dim[][];
}

// ---- dense parameters (model.ts) ----

export type ParamInit = 'glorot' | 'zeros' | 'small' | 'ziln';

export interface ParamContext<T extends string = string> {
  block: Block;
  params: BlockParams<T>;
  /** The width of everything connected to a port, concatenated. */
  inputWidth(port: InputPort<T>): number;
  /** The output width of each block connected to a port, in connection order. */
  sourceWidths(port: InputPort<T>): number[];
  /** The parameters of each block connected to a port, in connection order. */
  sourceParams(port: InputPort<T>): Params[];
  addParam(name: string, shape: number[], init: ParamInit): void;
  /** Kernel and bias of each layer, `${prefix}dense${i}/...`; returns the last width. */
  addMlp(prefix: string, inWidth: number, units: number[]): number;
}

// ---- tfjs reference forward (model.ts) ----

/** What a block produced in the tfjs forward pass. */
export type BlockValue =
  | { kind: 'vector'; t: tfc.Tensor2D }
  | { kind: 'experts'; t: tfc.Tensor3D }
  | { kind: 'binary'; logit: tfc.Tensor1D; prob: tfc.Tensor1D }
  | { kind: 'regression'; value: tfc.Tensor1D; parts?: tfc.Tensor2D }
  | { kind: 'label'; t: tfc.Tensor2D };

export interface ForwardContext<T extends string = string> {
  tf: typeof tfc;
  ops: typeof opsModule;
  block: Block;
  params: BlockParams<T>;
  training: boolean;
  /** The optimizer's stop-gradient switch. */
  stopGradient: boolean;
  inputs(port: InputPort<T>): BlockValue[];
  /** The vector (or label) inputs of a port. */
  vectors(port: InputPort<T>): tfc.Tensor2D[];
  param(name: string): tfc.Tensor;
  /** Dense layers `${prefix}dense${i}` with activation and (training) dropout. */
  mlp(prefix: string, x: tfc.Tensor2D, units: number[], act: string, dropout: number): tfc.Tensor2D;
  /** Logistic noise for n rows when training with a generator, else null. */
  logisticNoise(n: number): tfc.Tensor1D | null;
  rng?: Rng;
}

// ---- fast executor program (program.ts) ----

/** What a block's lowering produced: its value id(s), or why the executor cannot run it. */
type LowerResult = { out: number | number[] } | { reason: string };

export interface LowerContext<T extends string = string> {
  block: Block;
  params: BlockParams<T>;
  stopGradient: boolean;
  /** The parts of a concatenated vector input. */
  vectorInput(port: InputPort<T>): InputPart[];
  widthOf(parts: InputPart[]): number;
  layersOf(prefix: string, inWidth: number, units: number[]): DenseLayer[];
  param(name: string): number;
  /** The value id(s) of each block connected to a port, in connection order. */
  sources(port: InputPort<T>): (number | number[] | undefined)[];
  valueKind(v: number): ValueKind;
  wantsGrad(v: number): boolean;
  /** Whether stop-gradient cuts this input port. */
  cutPort(port: InputPort<T>): boolean;
  newValue(kind: ValueKind, grad: boolean): number;
  /** Registers random numbers the op draws; returns their index in the noise list. */
  addNoise(spec: NoiseSpec): number;
  emit(op: Op): void;
}

// ---- ONNX (export/onnx/lower.ts) ----

/** What a block's output is in the ONNX graph (tensor names). */
export type OnnxValue =
  | { kind: 'vector'; t: string }
  | { kind: 'experts'; t: string }
  | { kind: 'binary'; logit: () => string; prob: () => string }
  | { kind: 'regression'; value: string }
  | { kind: 'label'; t: string };

export interface OnnxContext<T extends string = string> {
  g: OnnxGraphBuilder;
  block: Block;
  params: BlockParams<T>;
  inputs(port: InputPort<T>): OnnxValue[];
  vectors(port: InputPort<T>): string[];
  /** A dense parameter as an initializer (named after its model key). */
  param(name: string): string;
  /** A float32 initializer (a constant tensor of the graph); returns its name. */
  floatInitializer(name: string, shape: number[], data: Float32Array): string;
  /** A dense parameter's values. */
  weight(name: string): { shape: number[]; data: Float32Array };
  concatColumns(parts: string[], base: string): string;
  /** Stacks [N, w] tensors along a new axis 1: [N, n, w]. */
  stack(parts: string[], base: string): string;
  mlp(prefix: string, x: string, units: number[], activation: string): string;
  /** ops.ts logitOf: log(p) - log(1 - p) with p clipped. */
  logitOf(prob: string, base: string): string;
  f32(v: number): string;
  axes(...a: number[]): string;
}

// ---- validation (graph/validate.ts) ----

export interface CheckContext<T extends string = string> {
  project: ProjectFile;
  index: GraphIndex;
  block: Block;
  params: Params;
  /** Reports an error pinned to blocks (duplicates dropped), with its edge or field if any. */
  error(
    code: string,
    message: string,
    blocks: string[],
    extra?: Pick<Problem, 'edge' | 'field'>,
  ): void;
  /** The connections into a port, in connection order. */
  incoming(port: InputPort<T>): Edge[];
  /** The blocks connected to a port, in connection order. */
  sources(port: InputPort<T>): Block[];
  /**
   * When the blocks on a port have different known output widths: those blocks, and them in
   * words with their widths ("Click tower (32) and Purchase tower (16)"); else null.
   */
  widthMismatch(port: InputPort<T>): { blocks: Block[]; words: string } | null;
  /** "a, b and c" */
  listWords(items: readonly string[]): string;
  /** "\"purchase\" (task 2)" for a chain index. */
  taskWords(task: number): string;
}

// ---- memory estimate (resources.ts) ----

/** What a block adds to a training run's memory estimate, in floats. */
export interface MemoryUse {
  /** Dense parameters (each also costs gradients and Adam state). */
  dense?: number;
  /** Activation floats per row of a batch. */
  perRow?: number;
  /** Embedding table entries. */
  tables?: number;
}

export interface MemoryContext<T extends string = string> {
  block: Block;
  params: Params;
  /** A numeric parameter, or the fallback when it is not a finite number. */
  number(name: string, fallback: number): number;
  /** The block's output width (0 when unknown). */
  width: number;
  /** The widths connected to a port, summed (unknown ones count 0). */
  inputWidth(port: InputPort<T>): number;
  /** How many connections enter a port. */
  connections(port: InputPort<T>): number;
  /** How many connections leave the block. */
  consumers: number;
  /** The block's embedding fields (a shared embedding's; empty otherwise). */
  fields: FieldSpec[];
  /** Distinct values of a column in the data, when the data is known. */
  distinct(column: string): number | undefined;
  /** Tasks of the data binding (at least 1). */
  tasks: number;
  /** An MLP input -> units[0] -> ...: its weights and biases, and its widths summed. */
  mlp(input: number, units: readonly number[]): { params: number; widths: number };
}

// ---- the module ----

export interface BlockModule<T extends string = string> {
  spec: BlockSpec<T>;
  /** Input ports whose information carries no gradient back when stop-gradient is on. */
  stopGradientPorts?: readonly InputPort<T>[];
  /** Whether the block has dense parameters (the gradient adjustment may share them). */
  hasParams?: boolean;
  /** Output dims without the batch axis; undefined for a block without outputs. */
  outputDims?(ctx: ShapeContext<T>): Dim[] | undefined;
  /** Creates the block's dense parameters in order; returns its output width. */
  params?(ctx: ParamContext<T>): number | undefined;
  forward?(ctx: ForwardContext<T>): BlockValue;
  lower?(ctx: LowerContext<T>): LowerResult;
  onnx?(ctx: OnnxContext<T>): OnnxValue;
  /** What it adds to the memory estimate; nothing when absent. */
  memory?(ctx: MemoryContext<T>): MemoryUse;
  /** Reports what makes this block invalid beyond its ports and parameters (validate.ts). */
  check?(ctx: CheckContext<T>): void;
  /**
   * Port types arriving on its inputs that check() reports in its own words; the generic
   * port-type-mismatch is not reported for them.
   */
  checkedPortTypes?: readonly PortType[];
}

/** Declares a block module (checks its shape; keeps its type literal for the registry). */
export function defineBlock<T extends string>(module: BlockModule<T>): BlockModule<T> {
  return module;
}
