// How port types and block groups look: one colour per port type (CSS variables in
// ui/tokens.css), one accent per palette group, short words for tooltips.

import type { CatalogPort } from '../../../src-main/ipc/api';
import type { PortType } from '../../../src-main/shared/catalog';
import { portTypesOf, TYPE_WORDS } from '../../store/catalog';

export const PORT_TYPE_TITLES: Record<PortType, string> = {
  features: 'features',
  vector: 'vector',
  experts: 'experts',
  binary: 'binary',
  regression: 'regression',
  label: 'label',
};

export function portColor(type: PortType): string {
  return `var(--port-${type})`;
}

/** A CSS class name for a palette group ("Multi-task" → "group-multi-task"). */
export function groupClass(group: string): string {
  return `group-${group.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

/** A port's tooltip: what it is, its type, whether it must or may take several connections. */
export function portTooltip(port: CatalogPort, direction: 'in' | 'out', type: PortType): string {
  const parts = [`${port.title} — ${TYPE_WORDS[type]} ${direction === 'in' ? 'input' : 'output'}`];
  if (port.typeByParam) {
    const all = portTypesOf(port).map((t) => TYPE_WORDS[t]);
    parts.push(`(${all.join(' or ')}, by the "${port.typeByParam.param}" parameter)`);
  }
  if (direction === 'in') {
    if (port.required) parts.push('· required');
    parts.push(port.multiple ? '· takes several connections' : '· takes one connection');
  }
  return `${parts.join(' ')}. ${port.description}`;
}
