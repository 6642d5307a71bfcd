// The palette: every block of the catalog, grouped as the catalog groups them, searchable.
// Click (or Enter) adds a block in the middle of the view; dragging drops it where it lands.

import { useMemo, useState, type DragEvent } from 'react';
import type { CatalogBlock } from '../../../src-main/ipc/api';
import { useAppStore } from '../../store/context';
import { Icon } from '../../ui/Icon';
import { portTypesOf, TYPE_WORDS } from '../../store/catalog';
import { groupClass, PORT_TYPE_TITLES } from './ports';

/** The drag payload type of a palette item. */
export const BLOCK_MIME = 'application/x-htlnet-block';

/** Whether a block matches a search: every word in its title, group, description or port types. */
export function matchesSearch(block: CatalogBlock, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const ports = [...block.inputs, ...block.outputs];
  const text = [
    block.title,
    block.type,
    block.group,
    block.description,
    ...ports.map((p) => p.title),
    ...ports.flatMap(portTypesOf).map((t) => `${t} ${TYPE_WORDS[t]}`),
  ]
    .join(' ')
    .toLowerCase();
  return words.every((w) => text.includes(w));
}

export function Palette() {
  const catalog = useAppStore((s) => s.catalog);
  const addBlock = useAppStore((s) => s.addBlock);
  const blocks = useAppStore((s) => s.project.graph.blocks);
  const [query, setQuery] = useState('');

  const groups = useMemo(
    () =>
      (catalog?.groups ?? [])
        .map((g) => ({ ...g, blocks: g.blocks.filter((b) => matchesSearch(b, query)) }))
        .filter((g) => g.blocks.length > 0),
    [catalog, query],
  );

  const onDragStart = (event: DragEvent, type: string) => {
    event.dataTransfer.setData(BLOCK_MIME, type);
    event.dataTransfer.setData('text/plain', type);
    event.dataTransfer.effectAllowed = 'copy';
  };

  return (
    <aside className="palette" aria-label="Blocks" data-testid="palette">
      <div className="panel-header">
        <h2>Blocks</h2>
      </div>
      <label className="search" title="Search blocks by name, description or port type">
        <Icon name="search" />
        <input
          type="search"
          placeholder="Search blocks"
          aria-label="Search blocks"
          data-testid="palette-search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setQuery('');
          }}
        />
      </label>
      <div className="palette-groups">
        {groups.length === 0 && (
          <p className="empty-note" data-testid="palette-empty">
            No block matches “{query}”.
          </p>
        )}
        {groups.map((group) => (
          <section
            key={group.name}
            className={`palette-group ${groupClass(group.name)}`}
            data-testid={`palette-group-${groupClass(group.name).slice(6)}`}
            aria-label={group.name}
          >
            <h3>{group.name}</h3>
            <ul>
              {group.blocks.map((block) => {
                const limit = block.maxPerGraph;
                const full =
                  limit !== undefined &&
                  blocks.filter((b) => b.type === block.type).length >= limit;
                const types = [
                  ...new Set([...block.inputs, ...block.outputs].flatMap(portTypesOf)),
                ];
                return (
                  <li key={block.type}>
                    <button
                      type="button"
                      className={`palette-item${full ? ' is-full' : ''}`}
                      draggable
                      data-testid={`palette-item-${block.type}`}
                      aria-label={`Add ${block.title}`}
                      title={`${block.description}${full ? ' (The model has one already.)' : ''}\nClick to add, or drag onto the canvas.`}
                      onClick={() => addBlock(block.type)}
                      onDragStart={(e) => onDragStart(e, block.type)}
                    >
                      <span className="palette-swatch" aria-hidden="true" />
                      <span className="palette-text">
                        <span className="palette-title">{block.title}</span>
                        <span className="palette-ports" aria-hidden="true">
                          {types.map((t) => (
                            <span
                              key={t}
                              className={`type-dot port-${t}`}
                              title={PORT_TYPE_TITLES[t]}
                            />
                          ))}
                        </span>
                      </span>
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
        ))}
      </div>
      <PortLegend />
    </aside>
  );
}

function PortLegend() {
  return (
    <footer className="port-legend" aria-label="Port types">
      {(Object.keys(PORT_TYPE_TITLES) as (keyof typeof PORT_TYPE_TITLES)[]).map((t) => (
        <span key={t} title={`${TYPE_WORDS[t]} ports connect only to ${TYPE_WORDS[t]} ports`}>
          <span className={`type-dot port-${t}`} aria-hidden="true" />
          {PORT_TYPE_TITLES[t]}
        </span>
      ))}
    </footer>
  );
}
