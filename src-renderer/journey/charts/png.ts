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

/**
 * The chart as a standalone SVG document: explicit size, its colours inlined from the
 * computed style, and a background in the card's colour.
 */
export function serializeChart(svg: SVGSVGElement, background?: string): string {
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
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(WIDTH));
  copy.setAttribute('height', String(HEIGHT));
  copy.removeAttribute('data-testid');
  const bg = background ?? (view ? cardBackground(svg, view) : '#ffffff');
  const rect = svg.ownerDocument.createElementNS('http://www.w3.org/2000/svg', 'rect');
  rect.setAttribute('width', '100%');
  rect.setAttribute('height', '100%');
  rect.setAttribute('fill', bg);
  copy.insertBefore(rect, copy.firstChild);
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
export function svgToPng(svgText: string, scale = 2): Promise<Blob> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = WIDTH * scale;
      canvas.height = HEIGHT * scale;
      const ctx = canvas.getContext('2d');
      if (!ctx) {
        reject(new Error('This window cannot draw images (no canvas).'));
        return;
      }
      ctx.scale(scale, scale);
      ctx.drawImage(image, 0, 0, WIDTH, HEIGHT);
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

export async function saveChartPng(svg: SVGSVGElement, fileName: string): Promise<void> {
  const blob = await svgToPng(serializeChart(svg));
  downloadBlob(blob, fileName);
}
