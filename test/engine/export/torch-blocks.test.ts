// The PyTorch package's block table against the catalog, without Python: every catalog block
// type has a twin module in python/blocks/ (or says where the package handles it), every twin
// is named after its type, and every file of the folder ships in the package. The TS registry
// has the same guarantee from its type (engine/blocks/index.ts); this is the Python side's.
// With a python3 that imports torch, the table is also read by Python itself.

import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../../src-main/shared/catalog';
import { PACKAGE_SOURCES } from '../../../src-main/engine/export/torch/sources';

const FOLDER = path.join(__dirname, '../../../src-main/engine/export/torch/python');

/** HTLNET_TORCH_PYTHON, else the first python3 that can import torch and numpy; or null. */
function torchPython(): string | null {
  const chosen = process.env.HTLNET_TORCH_PYTHON;
  for (const python of chosen ? [chosen] : ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import torch, numpy'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return null;
}

/** The `"key": value` entries of a dict literal `NAME = { ... }` in Python source. */
function dictEntries(source: string, name: string): Map<string, string> {
  const body = new RegExp(`^${name} = \\{\\n([\\s\\S]*?)^\\}`, 'm').exec(source);
  if (!body) throw new Error(`blocks/__init__.py has no ${name} table`);
  const entries = new Map<string, string>();
  for (const m of body[1].matchAll(/^\s+"([^"]+)":\s*("[^"]*"|\w+),?$/gm)) entries.set(m[1], m[2]);
  return entries;
}

describe('the PyTorch package block table', () => {
  const table = PACKAGE_SOURCES['blocks/__init__.py'];
  const modules = dictEntries(table, 'BLOCKS');
  const elsewhere = dictEntries(table, 'ELSEWHERE');

  it('has a twin (or a reason) for every catalog block type, and nothing else', () => {
    const types = CATALOG.map((s) => s.type as string).sort();
    expect([...modules.keys(), ...elsewhere.keys()].sort()).toEqual(types);
    for (const [type, reason] of elsewhere) {
      expect(modules.has(type), type).toBe(false);
      expect(reason, type).toMatch(/^"\w.{10,}"$/);
    }
  });

  it('names each twin after its type and ships it', () => {
    for (const [type, module] of modules) {
      expect(module).toBe(type.replace(/-/g, '_'));
      const file = `blocks/${module}.py`;
      expect(PACKAGE_SOURCES[file], file).toMatch(/^"""\S/); // says what it is for
      expect(PACKAGE_SOURCES[file]).toMatch(/^def forward\(ctx\)/m);
      expect(table).toMatch(new RegExp(`^from \\. import .*\\b${module}\\b`, 'm'));
    }
  });

  it('ships every Python file of the package folder', async () => {
    const files: string[] = [];
    for (const sub of ['', 'blocks']) {
      for (const name of await fs.readdir(path.join(FOLDER, sub))) {
        if (name.endsWith('.py')) files.push(sub ? `${sub}/${name}` : name);
      }
    }
    const shipped = Object.keys(PACKAGE_SOURCES).filter((f) => f.endsWith('.py'));
    expect(shipped.sort()).toEqual(files.sort());
  });

  const python = torchPython();
  it.skipIf(!python)('is the table Python reads, each twin with its hooks', async () => {
    // The shipped files, written as the package writes them, imported by Python.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'htlnet-torch-blocks-'));
    try {
      for (const [name, text] of Object.entries(PACKAGE_SOURCES)) {
        const file = path.join(dir, ...name.split('/'));
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, text);
      }
      const script = `
import json
from blocks import BLOCKS, ELSEWHERE
print(json.dumps({
  "modules": {k: [m.__name__, [h for h in ("params", "forward", "noise") if hasattr(m, h)]] for k, m in BLOCKS.items()},
  "elsewhere": sorted(ELSEWHERE),
}))`;
      const result = spawnSync(python!, ['-c', script], { cwd: dir, encoding: 'utf8' });
      expect(result.stderr).toBe('');
      const py = JSON.parse(result.stdout) as {
        modules: Record<string, [string, string[]]>;
        elsewhere: string[];
      };
      expect(py.elsewhere).toEqual([...elsewhere.keys()].sort());
      for (const [type, module] of modules) {
        expect(py.modules[type][0]).toBe(`blocks.${module}`);
        expect(py.modules[type][1]).toContain('forward');
      }
      expect(Object.keys(py.modules).sort()).toEqual([...modules.keys()].sort());
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
