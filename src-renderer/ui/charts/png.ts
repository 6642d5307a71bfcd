// Saving a chart as a PNG: the SVG is serialised with its computed colours inlined (the page's
// CSS variables do not exist inside an <img>), drawn on a canvas at twice its size, turned into
// a blob and downloaded through an <a download> with a blob: URL (the CSP allows img-src
// data: blob:).

import { HEIGHT, WIDTH } from './frame';

/** Presentation properties copied from the live chart onto the exported copy. */
const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-opacity',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'text-anchor',
] as const;

/** Height of the caption band above the chart in an exported image. */
const CAPTION_HEIGHT = 30;

/**
 * The chart as a standalone SVG document: explicit size, its colours inlined from the
 * computed style, a background in the card's colour and, when given, a caption above it (the
 * card's title and note, so a saved image says what it shows).
 */
export function serializeChart(
  svg: SVGSVGElement,
  options: { background?: string; caption?: string } = {},
): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const sources = [svg, ...Array.from(svg.querySelectorAll('*'))];
  const targets = [copy, ...Array.from(copy.querySelectorAll('*'))];
  const view = svg.ownerDocument.defaultView;
  sources.forEach((source, i) => {
    const target = targets[i] as SVGElement | undefined;
    if (!target || !view) return;
    const computed = view.getComputedStyle(source);
    const inline: string[] = [];
    for (const prop of STYLE_PROPS) {
      const value = computed.getPropertyValue(prop);
      if (value && value !== 'normal' && !value.includes('var(')) inline.push(`${prop}:${value}`);
    }
    if (inline.length) target.setAttribute('style', inline.join(';'));
    target.removeAttribute('class');
  });
  const NS = 'http://www.w3.org/2000/svg';
  const doc = svg.ownerDocument;
  const caption = options.caption?.trim();
  const top = caption ? CAPTION_HEIGHT : 0;
  copy.setAttribute('xmlns', NS);
  copy.setAttribute('width', String(WIDTH));
  copy.setAttribute('height', String(HEIGHT + top));
  copy.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT + top}`);
  copy.removeAttribute('data-testid');
  copy.removeAttribute('style');
  if (top > 0) {
    // Everything moves down under the caption.
    const group = doc.createElementNS(NS, 'g');
    group.setAttribute('transform', `translate(0,${top})`);
    while (copy.firstChild) group.appendChild(copy.firstChild);
    copy.appendChild(group);
  }
  const bg = options.background ?? (view ? cardBackground(svg, view) : '#ffffff');
  const rect = doc.createElementNS(NS, 'rect');
  rect.setAttribute('width', '100%');
  rect.setAttribute('height', '100%');
  rect.setAttribute('fill', bg);
  copy.insertBefore(rect, copy.firstChild);
  if (caption) {
    const text = doc.createElementNS(NS, 'text');
    text.setAttribute('x', '12');
    text.setAttribute('y', '20');
    const color = view ? view.getComputedStyle(svg).color : '';
    text.setAttribute(
      'style',
      `font-family:${view ? view.getComputedStyle(svg).fontFamily : 'sans-serif'};font-size:13px;font-weight:600;fill:${color && !color.includes('var(') ? color : '#14211f'}`,
    );
    text.textContent = caption;
    copy.appendChild(text);
  }
  return new XMLSerializer().serializeToString(copy);
}

/** The first non-transparent background behind the chart (its card), else white. */
function cardBackground(svg: Element, view: Window): string {
  for (let el: Element | null = svg; el; el = el.parentElement) {
    const bg = view.getComputedStyle(el).backgroundColor;
    if (bg && bg !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(bg) && !bg.includes('var(')) {
      return bg;
    }
  }
  return '#ffffff';
}

/** Renders SVG text onto a canvas and returns it as a PNG blob. */
export function svgToPng(svgText: string, scale = 2, height = HEIGHT): Promise<Blob> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = WIDTH * scale;
      canvas.height = height * scale;
      const ctx = canvas.getContext('2d');
      if (!ctx) {
        reject(new Error('This window cannot draw images (no canvas).'));
        return;
      }
      ctx.scale(scale, scale);
      ctx.drawImage(image, 0, 0, WIDTH, height);
      canvas.toBlob(
        (blob) => (blob ? resolve(blob) : reject(new Error('The chart could not be encoded.'))),
        'image/png',
      );
    };
    image.onerror = () => reject(new Error('The chart could not be drawn as an image.'));
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`;
  });
}

/** Offers a blob as a download under a file name. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoked after the click has been handled (the download has its own reference by then).
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** "ROC · click" -> "roc-click.png" */
export function pngName(title: string): string {
  const base = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${base || 'chart'}.png`;
}

export async function saveChartPng(
  svg: SVGSVGElement,
  fileName: string,
  caption?: string,
): Promise<void> {
  const text = serializeChart(svg, { caption });
  const blob = await svgToPng(text, 2, HEIGHT + (caption?.trim() ? CAPTION_HEIGHT : 0));
  downloadBlob(blob, fileName);
}
