/**
 * An ApexCharts chart. The library is loaded on first use, so only pages that chart download it.
 *
 * The chart is drawn anew whenever its options or its width change, and only while its element is in
 * the page with a width: a page hides its content while new numbers load (Suspense takes it out of the
 * document), and ApexCharts cannot draw or update a chart whose element is not in the document
 * ("Element not found"), nor update one after that failed. Options may depend on the width (how many
 * axis labels fit), so the caller passes a function of it.
 */
import type { ApexOptions } from 'apexcharts';
import { createEffect, createMemo, createSignal, type JSX, onCleanup, onMount } from 'solid-js';

type ApexChartsInstance = {
  render(): Promise<void>;
  destroy(): void;
};
type ApexChartsClass = new (el: HTMLElement, options: ApexOptions) => ApexChartsInstance;

/** What a chart shows, for a plot this many pixels wide. */
export type ChartOptions = (width: number) => ApexOptions;

const base: ApexOptions = {
  chart: {
    fontFamily: 'inherit',
    toolbar: { show: false },
    animations: { enabled: false },
    zoom: { enabled: false },
    parentHeightOffset: 0,
    // This component redraws on width changes itself (with labels that fit the new width).
    redrawOnParentResize: false,
    redrawOnWindowResize: false,
  },
  dataLabels: { enabled: false },
  grid: { borderColor: '#e5e7eb', strokeDashArray: 3 },
  colors: ['#1d4ed8', '#0d9488', '#f59e0b', '#db2777', '#7c3aed', '#64748b'],
  legend: { position: 'top', horizontalAlign: 'left' },
  tooltip: { theme: 'light' },
};

let library: Promise<ApexChartsClass> | null = null;
const loadLibrary = (): Promise<ApexChartsClass> =>
  (library ??= import('apexcharts').then((m) => m.default as unknown as ApexChartsClass));

export function Chart(props: {
  options: ChartOptions;
  height?: number;
  testId?: string;
  label: string;
}): JSX.Element {
  let el!: HTMLDivElement;
  const [width, setWidth] = createSignal(0);
  const wanted = createMemo((): ApexOptions | null => {
    const w = width();
    if (w === 0) return null;
    const o = props.options(w);
    return { ...base, ...o, chart: { ...base.chart, ...o.chart, height: props.height ?? 280 } };
  });
  const drawer = createDrawer(() => el);
  createEffect(() => drawer.want(wanted()));
  onMount(() => {
    // Zero while hidden or out of the document: keep the last width, the chart is still right for it.
    const observer = new ResizeObserver(() => {
      const w = Math.round(el.clientWidth);
      if (w > 0 && el.isConnected) setWidth(w);
    });
    observer.observe(el);
    onCleanup(() => observer.disconnect());
  });
  onCleanup(() => drawer.dispose());
  return <div class="chart" ref={el} data-testid={props.testId} role="img" aria-label={props.label} />;
}

/** Draws the latest wanted options once the element is in the document; one draw at a time. */
function createDrawer(element: () => HTMLDivElement) {
  let chart: ApexChartsInstance | null = null;
  let wanted: ApexOptions | null = null;
  let drawn: ApexOptions | null = null;
  let busy = false;
  let disposed = false;
  let frame = 0;

  const clear = () => {
    try {
      chart?.destroy();
    } catch {
      // A chart that never finished drawing has nothing left to remove.
    }
    chart = null;
  };

  async function draw(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      const ApexCharts = await loadLibrary();
      while (!disposed && wanted && wanted !== drawn) {
        const el = element();
        if (!el.isConnected) {
          // Back in the page after the next frame or later: try again then.
          frame = requestAnimationFrame(() => void draw());
          return;
        }
        const options = wanted;
        clear();
        chart = new ApexCharts(el, options);
        try {
          await chart.render();
          drawn = options;
          if (wanted === options) el.dataset.rendered = 'true';
        } catch {
          clear();
          // Taken out of the document while drawing: draw again when it is back. Otherwise the options
          // themselves fail: say so on the element instead of trying them again and again.
          drawn = el.isConnected ? options : null;
          if (el.isConnected) el.dataset.rendered = 'error';
        }
      }
    } finally {
      busy = false;
    }
  }

  return {
    want(options: ApexOptions | null) {
      wanted = options;
      if (!options) return;
      // Not drawn with these yet (tests and screenshots wait for "true").
      element().dataset.rendered = 'false';
      void draw();
    },
    dispose() {
      disposed = true;
      cancelAnimationFrame(frame);
      clear();
    },
  };
}
