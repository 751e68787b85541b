/**
 * A tiny element builder. Every string child becomes a text node, so values from the gateway (mode slugs
 * and model ids a client chose) can never inject markup.
 */

export type Child = Node | string | number | null | undefined | false | Child[];
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;

/** `h('td', {class: 'num'}, '42')`. `on*` keys add listeners; `true` sets an empty attribute; null/false/undefined skip. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replace an element's children. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.textContent = '';
  append(parent, children);
}

/** The element with this id, or a clear error (the page template and the code disagree). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`dashboard: #${id} is missing from index.html`);
  return element as T;
}

const PALETTE = ['#6366f1', '#14b8a6', '#f59e0b', '#ec4899', '#0ea5e9', '#84cc16', '#a855f7', '#ef4444', '#64748b', '#f97316'];
const FIXED_COLORS: Record<string, string> = {
  reasoning: '#8b5cf6',
  implementation: '#14b8a6',
  header: '#6366f1',
  inferred: '#f59e0b',
  default: '#94a3b8',
  config: '#0ea5e9',
};

/** A stable colour for a series key: fixed for the known tiers and mode sources, hashed for the rest. */
export function colorFor(key: string): string {
  const fixed = FIXED_COLORS[key];
  if (fixed !== undefined) return fixed;
  let hash = 0;
  for (let index = 0; index < key.length; index += 1) hash = (hash * 31 + key.charCodeAt(index)) >>> 0;
  return PALETTE[hash % PALETTE.length] ?? '#64748b';
}

/** A CSS custom property's current value (theme-aware colours for the canvas charts). */
export function cssVariable(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
