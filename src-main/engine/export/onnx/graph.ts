// A small builder for ONNX graphs: unique tensor names, initializers (weights and constants,
// constants shared), nodes with typed attributes, and graph inputs / outputs with a symbolic
// batch dimension. Produces the plain objects of schema.ts.

import {
  AttributeType,
  DataType,
  type AttributeProto,
  type DataTypeCode,
  type GraphProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './schema';

/** The symbolic batch dimension of every input and output. */
const BATCH_DIM = 'N';

export type Attr =
  | { int: number }
  | { ints: number[] }
  | { float: number }
  | { floats: number[] }
  | { string: string };

function attribute(name: string, value: Attr): AttributeProto {
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: value.ints };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.string) };
}

function bytesOf(data: Float32Array | Float64Array | BigInt64Array): Uint8Array {
  // Typed arrays are in platform byte order; ONNX raw_data is little-endian.
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else if (data instanceof Float64Array) data.forEach((v, i) => view.setFloat64(i * 8, v, true));
  else data.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  return out;
}

export class OnnxGraphBuilder {
  private readonly names = new Set<string>();
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly constants = new Map<string, string>();

  /** `reserved`: names taken by graph inputs and outputs, never given to internal tensors. */
  constructor(reserved: Iterable<string> = []) {
    for (const n of reserved) this.names.add(n);
  }

  /** A tensor name not used yet, derived from `base`. */
  fresh(base: string): string {
    if (!this.names.has(base)) {
      this.names.add(base);
      return base;
    }
    for (let i = 1; ; i++) {
      const name = `${base}_${i}`;
      if (!this.names.has(name)) {
        this.names.add(name);
        return name;
      }
    }
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  get initializerCount(): number {
    return this.initializers.length;
  }

  /** A weight tensor; returns its name. */
  initializer(
    base: string,
    dataType: DataTypeCode,
    dims: number[],
    data: Float32Array | Float64Array | BigInt64Array,
  ): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length)
      throw new Error(`Initializer ${base}: ${data.length} values for shape [${dims.join(', ')}]`);
    const name = this.fresh(base);
    this.initializers.push({ name, dims, dataType, rawData: bytesOf(data) });
    return name;
  }

  /** A float32 constant of the given shape (scalars: dims []); shared between uses. */
  constFloat(values: number[], dims: number[] = []): string {
    return this.constant(DataType.FLOAT, values, dims);
  }

  constDouble(values: number[], dims: number[] = []): string {
    return this.constant(DataType.DOUBLE, values, dims);
  }

  /** An int64 vector constant (axes, shapes). */
  constInt64(values: number[]): string {
    return this.constant(DataType.INT64, values, [values.length]);
  }

  private constant(dataType: DataTypeCode, values: number[], dims: number[]): string {
    const key = `${dataType}|${dims.join('x')}|${values.map((v) => (Object.is(v, -0) ? '-0' : String(v))).join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const data =
      dataType === DataType.FLOAT
        ? Float32Array.from(values)
        : dataType === DataType.DOUBLE
          ? Float64Array.from(values)
          : BigInt64Array.from(values.map((v) => BigInt(v)));
    const label = values.length <= 4 ? values.join('_') : `${values.length}`;
    const prefix =
      dataType === DataType.INT64 ? 'i64' : dataType === DataType.DOUBLE ? 'f64' : 'f32';
    const name = this.initializer(`const/${prefix}/${label}`, dataType, dims, data);
    this.constants.set(key, name);
    return name;
  }

  /** Adds a node with one output, named after `base`; returns the output name. */
  node(
    opType: string,
    inputs: string[],
    base: string,
    attrs: Record<string, Attr> = {},
    output?: string,
  ): string {
    const out = output ?? this.fresh(base);
    const attributes = Object.entries(attrs).map(([k, v]) => attribute(k, v));
    this.nodes.push({
      name: out,
      opType,
      input: inputs,
      output: [out],
      ...(attributes.length > 0 ? { attribute: attributes } : {}),
    });
    return out;
  }

  /** Declares a graph input [N, ...rest] (the name must have been reserved or be free). */
  input(name: string, dataType: DataTypeCode, rest: number[] = [], doc?: string): string {
    this.names.add(name);
    this.inputs.push(valueInfo(name, dataType, rest, doc));
    return name;
  }

  /** Declares a graph output [N, ...rest], computed by `Identity(value)`. */
  output(name: string, value: string, dataType: DataTypeCode, rest: number[] = [], doc?: string) {
    this.names.add(name);
    this.node('Identity', [value], name, {}, name);
    this.outputs.push(valueInfo(name, dataType, rest, doc));
  }

  build(name: string, docString: string): GraphProto {
    return {
      name,
      docString,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    };
  }
}

function valueInfo(
  name: string,
  elemType: DataTypeCode,
  rest: number[],
  doc?: string,
): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: [{ dimParam: BATCH_DIM }, ...rest.map((d) => ({ dimValue: d }))] },
      },
    },
    ...(doc ? { docString: doc } : {}),
  };
}
