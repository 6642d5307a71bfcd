// What React Flow and React need from a browser that happy-dom does not give: ResizeObserver,
// DOMMatrixReadOnly, and React's act() environment flag. Import this first in every renderer
// test file (the file itself must start with `// @vitest-environment happy-dom`).

class ResizeObserverStub {
  private readonly callback: ResizeObserverCallback;
  constructor(callback: ResizeObserverCallback) {
    this.callback = callback;
  }
  observe(target: Element): void {
    // Report a size once, as a browser does when observation starts.
    const entry = {
      target,
      contentRect: { width: 180, height: 90, x: 0, y: 0, top: 0, left: 0, bottom: 90, right: 180 },
      borderBoxSize: [{ inlineSize: 180, blockSize: 90 }],
      contentBoxSize: [{ inlineSize: 180, blockSize: 90 }],
      devicePixelContentBoxSize: [],
    } as unknown as ResizeObserverEntry;
    queueMicrotask(() => this.callback([entry], this));
  }
  unobserve(): void {}
  disconnect(): void {}
}

class DOMMatrixReadOnlyStub {
  m22: number;
  constructor(transform?: string) {
    const scale = /scale\(([\d.]+)\)/.exec(transform ?? '');
    this.m22 = scale ? Number(scale[1]) : 1;
  }
}

const g = globalThis as Record<string, unknown>;
g.ResizeObserver ??= ResizeObserverStub;
g.DOMMatrixReadOnly ??= DOMMatrixReadOnlyStub;
g.IS_REACT_ACT_ENVIRONMENT = true;

// Elements report a size so React Flow measures nodes and the viewport. (Edges are not drawn:
// happy-dom does no layout, so handles have no positions; the end-to-end tests see them.)
if (typeof HTMLElement !== 'undefined') {
  Object.defineProperties(HTMLElement.prototype, {
    offsetWidth: { configurable: true, get: () => 180 },
    offsetHeight: { configurable: true, get: () => 90 },
  });
}

export {};
