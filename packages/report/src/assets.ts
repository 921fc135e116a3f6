import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let chartJs: string | undefined;
let charts: string | undefined;

/**
 * Chart.js's UMD build, read from node_modules once and inlined into every page, so a report
 * opens from disk with no network. chart.js's `exports` do not list the UMD file, so it is
 * found beside the package's CommonJS entry.
 */
export function chartJsSource(): string {
  if (chartJs === undefined) {
    const entry = createRequire(import.meta.url).resolve('chart.js');
    chartJs = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
  }
  return chartJs;
}

/** The page's own script that draws the charts from the page's JSON. */
export function chartsSource(): string {
  charts ??= readFileSync(new URL('./browser/charts.js', import.meta.url), 'utf8');
  return charts;
}
