/**
 * Time-series charts with uPlot: bars stacked by a group (tier or model). uPlot has no stacking of its own,
 * so each series is drawn as the running total of the groups up to it, largest first, and the legend and
 * tooltip show each group's own value.
 */
import uPlot from 'uplot';
import { colorFor, cssVariable } from './dom.js';

export interface StackedSeries {
  /** Bucket start times, epoch milliseconds, ascending. */
  times: number[];
  bucketMs: number;
  groups: Array<{ key: string; values: number[] }>;
}

export interface StackedChartOptions {
  title: string;
  formatValue: (value: number) => string;
}

/** A chart bound to a container; `update` redraws with new data, `destroy` frees it. */
export interface StackedChart {
  update(data: StackedSeries): void;
  redraw(): void;
  destroy(): void;
}

const CHART_HEIGHT = 220;

export function createStackedChart(container: HTMLElement, options: StackedChartOptions): StackedChart {
  let plot: uPlot | null = null;
  let current: StackedSeries | null = null;

  const width = (): number => Math.max(240, Math.floor(container.clientWidth));

  const build = (data: StackedSeries): void => {
    plot?.destroy();
    container.textContent = '';
    const xs = data.times.map((time) => time / 1000);
    const running = new Array<number>(xs.length).fill(0);
    const stacked = data.groups.map((group) => group.values.map((value, index) => (running[index] = (running[index] ?? 0) + value)));
    const axisColor = cssVariable('--text-muted') || '#666';
    const gridColor = cssVariable('--grid') || 'rgba(128,128,128,0.2)';
    const bars = uPlot.paths.bars?.({ size: [0.82, 48], align: 1, gap: 1 });
    // Draw the tallest running total first so each smaller one paints its own band on top of it.
    const order = data.groups.map((_, index) => index).reverse();
    const seriesData = order.map((index) => stacked[index] ?? []);
    const opts: uPlot.Options = {
      width: width(),
      height: CHART_HEIGHT,
      title: undefined,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: { x: { time: true, range: (_self, min, max) => [min, max + data.bucketMs / 1000] }, y: { range: (_self, _min, max) => [0, max > 0 ? max * 1.08 : 1] } },
      axes: [
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } },
        {
          stroke: axisColor,
          grid: { stroke: gridColor, width: 1 },
          ticks: { stroke: gridColor, width: 1 },
          size: 64,
          values: (_self, splits) => splits.map((value) => options.formatValue(value)),
        },
      ],
      series: [
        { label: 'Time' },
        ...order.map((groupIndex) => {
          const group = data.groups[groupIndex]!;
          const color = colorFor(group.key);
          return {
            label: group.key,
            stroke: color,
            fill: color,
            width: 0,
            ...(bars ? { paths: bars } : {}),
            points: { show: false },
            value: (_self: uPlot, _value: number | null, _seriesIndex: number, index: number | null) =>
              index === null ? '' : options.formatValue(group.values[index] ?? 0),
          } satisfies uPlot.Series;
        }),
      ],
    };
    plot = new uPlot(opts, [xs, ...seriesData] as uPlot.AlignedData, container);
    plot.root.setAttribute('aria-label', options.title);
  };

  const observer = new ResizeObserver(() => {
    if (plot !== null && Math.abs(plot.width - width()) > 2) plot.setSize({ width: width(), height: CHART_HEIGHT });
  });
  observer.observe(container);

  return {
    update(data) {
      current = data;
      build(data);
    },
    redraw() {
      if (current !== null) build(current);
    },
    destroy() {
      observer.disconnect();
      plot?.destroy();
      plot = null;
    },
  };
}
