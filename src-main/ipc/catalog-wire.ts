// The block catalog as plain data for the wire (catalog:get): no functions, a port whose type
// depends on a parameter as a table. Light on purpose (no engine imports), so the renderer's
// component tests use the same code as the host.

import { CATALOG, type BlockSpec, type PortSpec, type PortType } from '../shared/catalog';
import type { ParamValue } from '../shared/project';
import type { CatalogBlock, CatalogPort } from './api';

let wireCatalog: CatalogBlock[] | null = null;

/** The catalog without functions (cached; the catalog is static). */
export function catalogForWire(): CatalogBlock[] {
  wireCatalog ??= CATALOG.map(blockForWire);
  return structuredClone(wireCatalog);
}

function defaults(spec: BlockSpec): Record<string, ParamValue> {
  return Object.fromEntries(spec.params.map((p) => [p.name, p.default]));
}

/** Every value a parameter can take when it has finitely many (choice and boolean params). */
function enumerable(spec: BlockSpec): { name: string; values: ParamValue[] }[] {
  const out: { name: string; values: ParamValue[] }[] = [];
  for (const p of spec.params) {
    if (p.kind === 'choice') out.push({ name: p.name, values: p.options.map((o) => o.value) });
    else if (p.kind === 'boolean') out.push({ name: p.name, values: [true, false] });
  }
  return out;
}

function blockForWire(spec: BlockSpec): CatalogBlock {
  const port = (p: PortSpec): CatalogPort => portForWire(spec, p);
  return {
    ...spec,
    params: spec.params.map((p) => ({ ...p })),
    inputs: spec.inputs.map(port),
    outputs: spec.outputs.map(port),
  };
}

/**
 * A port whose type is a function of the block's params becomes its default type plus a
 * `typeByParam` table over the one choice/boolean param it depends on. Throws when the type
 * depends on anything the table cannot express, so a catalog change cannot silently send
 * wrong types.
 */
function portForWire(spec: BlockSpec, port: PortSpec): CatalogPort {
  const { type, ...rest } = port;
  if (typeof type !== 'function') return { ...rest, type };
  const base = defaults(spec);
  const candidates = enumerable(spec);
  const governing = candidates.filter(
    ({ name, values }) => new Set(values.map((v) => type({ ...base, [name]: v }))).size > 1,
  );
  const where = `Catalog block "${spec.type}", port "${port.name}"`;
  if (governing.length > 1) {
    throw new Error(`${where}: its type depends on more than one parameter.`);
  }
  if (governing.length === 0) return { ...rest, type: type(base) };
  const { name, values } = governing[0];
  const types: Record<string, PortType> = {};
  for (const v of values) {
    const t = type({ ...base, [name]: v });
    // The table must hold whatever the other parameters are.
    for (const other of candidates) {
      if (other.name === name) continue;
      for (const ov of other.values) {
        if (type({ ...base, [name]: v, [other.name]: ov }) !== t) {
          throw new Error(`${where}: its type depends on "${name}" and "${other.name}" together.`);
        }
      }
    }
    types[String(v)] = t;
  }
  return { ...rest, type: type(base), typeByParam: { param: name, types } };
}
