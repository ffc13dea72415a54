/**
 * An ApexCharts chart. The library is loaded on first use, so only pages that chart download it.
 */
import type { ApexOptions } from 'apexcharts';
import { createEffect, type JSX, on, onCleanup, onMount } from 'solid-js';

type ApexChartsInstance = {
  render(): Promise<void>;
  updateOptions(o: ApexOptions, redraw?: boolean): Promise<void>;
  destroy(): void;
};

const base: ApexOptions = {
  chart: {
    fontFamily: 'inherit',
    toolbar: { show: false },
    animations: { enabled: false },
    zoom: { enabled: false },
    parentHeightOffset: 0,
  },
  dataLabels: { enabled: false },
  grid: { borderColor: '#e5e7eb', strokeDashArray: 3 },
  colors: ['#1d4ed8', '#0d9488', '#f59e0b', '#db2777', '#7c3aed', '#64748b'],
  legend: { position: 'top', horizontalAlign: 'left' },
  tooltip: { theme: 'light' },
};

export function Chart(props: {
  options: ApexOptions;
  height?: number;
  testId?: string;
  label: string;
}): JSX.Element {
  let el!: HTMLDivElement;
  let chart: ApexChartsInstance | null = null;
  let disposed = false;
  const merged = (): ApexOptions => ({
    ...base,
    ...props.options,
    chart: { ...base.chart, ...props.options.chart, height: props.height ?? 280 },
  });
  onMount(async () => {
    const { default: ApexCharts } = await import('apexcharts');
    if (disposed) return;
    chart = new ApexCharts(el, merged()) as unknown as ApexChartsInstance;
    await chart.render();
    el.dataset.rendered = 'true';
  });
  createEffect(
    on(
      () => props.options,
      () => {
        if (chart) void chart.updateOptions(merged(), true);
      },
      { defer: true },
    ),
  );
  onCleanup(() => {
    disposed = true;
    chart?.destroy();
  });
  return <div class="chart" ref={el} data-testid={props.testId} role="img" aria-label={props.label} />;
}
