/**
 * The geometry of a column chart drawn as SVG on the server (so it shows without JavaScript): one
 * column per point scaled to the largest value, and a few round gridlines. The template draws it.
 */
export type ColumnChart = {
  width: number;
  height: number;
  plot: { left: number; top: number; bottom: number };
  columns: { x: number; y: number; width: number; height: number; label: string; cents: number; showLabel: boolean }[];
  gridlines: { y: number; cents: number }[];
};

/** A "nice" top for the axis: 1, 2 or 5 times a power of ten, at least the largest value. */
export function niceCeiling(cents: number): number {
  if (cents <= 0) return 100;
  const power = 10 ** Math.floor(Math.log10(cents));
  const step = [1, 2, 5, 10].find((m) => m * power >= cents)!;
  return step * power;
}

export function columnChart(
  points: readonly { label: string; cents: number }[],
  options: { width: number; height: number; labelEvery?: number },
): ColumnChart {
  const plot = { left: 72, top: 8, bottom: options.height - 28 };
  const plotWidth = options.width - plot.left - 8;
  const plotHeight = plot.bottom - plot.top;
  const top = niceCeiling(Math.max(0, ...points.map((p) => p.cents)));
  const slot = plotWidth / Math.max(1, points.length);
  const columnWidth = Math.max(2, slot * 0.7);
  const labelEvery = options.labelEvery ?? 1;
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    width: options.width,
    height: options.height,
    plot,
    columns: points.map((p, i) => {
      const height = (p.cents / top) * plotHeight;
      return {
        x: round(plot.left + i * slot + (slot - columnWidth) / 2),
        y: round(plot.bottom - height),
        width: round(columnWidth),
        height: round(height),
        label: p.label,
        cents: p.cents,
        showLabel: i % labelEvery === 0,
      };
    }),
    gridlines: [0, 0.5, 1].map((f) => ({ y: round(plot.bottom - f * plotHeight), cents: Math.round(top * f) })),
  };
}
