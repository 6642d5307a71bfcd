// The renderer's stylesheets keep their three rules: every colour is a token of ui/tokens.css
// (written once for both themes), every custom property read is defined somewhere, and every
// class a stylesheet styles is one the renderer's code can put on an element (no dead rules).
// Reads the source files only: no DOM, no build.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..', 'src-renderer');
const TOKENS = path.join('ui', 'tokens.css');

function files(dir: string, ends: readonly string[]): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return files(rel, ends);
    return ends.some((x) => e.name.endsWith(x)) ? [rel] : [];
  });
}

const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');
const withoutComments = (css: string) =>
  css.replace(/\/\*[\s\S]*?\*\//g, '').replace(/@import[^;]*;/g, '');
const stylesheets = files('.', ['.css']).map((rel) => ({ rel, css: withoutComments(read(rel)) }));
const code = files('.', ['.ts', '.tsx', '.html']).map(read).join('\n');

/** Classes React Flow sets on its own elements (besides its react-flow*), styled here. */
const LIBRARY_CLASSES = new Set(['selected', 'valid', 'invalid', 'connectingto']);

describe('the stylesheets', () => {
  it('write colours only in the token file', () => {
    expect(stylesheets.map((s) => s.rel)).toContain(TOKENS);
    const colour = /#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\(/;
    const offending = stylesheets
      .filter((s) => s.rel !== TOKENS)
      .flatMap((s) =>
        s.css
          .split('\n')
          .map((line, i) => ({ line, at: `${s.rel}:${i + 1}` }))
          .filter(({ line }) => colour.test(line))
          .map(({ line, at }) => `${at}: ${line.trim()}`),
      );
    expect(offending).toEqual([]);
  });

  it('read only custom properties that are defined', () => {
    const all = stylesheets.map((s) => s.css).join('\n');
    const defined = new Set([...all.matchAll(/(--[\w-]+)\s*:/g)].map((m) => m[1]));
    const used = new Set(
      [...`${all}\n${code}`.matchAll(/var\((--[\w-]+)/g)]
        .map((m) => m[1])
        // var(--port-${type}) in code: the names it can make are checked by their rules.
        .filter((name) => !name.endsWith('-')),
    );
    expect([...used].filter((name) => !defined.has(name))).toEqual([]);
  });

  it('style no class that the code never sets', () => {
    // Classes built in template literals (`is-${severity}`, `jc-s${i}`) count by their prefix.
    const prefixes = [...code.matchAll(/([A-Za-z][\w-]*)\$\{/g)].map((m) => m[1]);
    const words = new Set(code.match(/[A-Za-z][\w-]*/g));
    const dead = stylesheets.flatMap(({ rel, css }) => {
      const selectors = css.replace(/\{[^{}]*\}/g, '{}');
      const classes = new Set([...selectors.matchAll(/\.([A-Za-z_][\w-]*)/g)].map((m) => m[1]));
      return [...classes]
        .filter(
          (c) =>
            !c.startsWith('react-flow') &&
            !LIBRARY_CLASSES.has(c) &&
            !words.has(c) &&
            !prefixes.some((p) => p.length > 1 && c.startsWith(p)),
        )
        .map((c) => `${rel}: .${c}`);
    });
    expect(dead).toEqual([]);
  });
});
