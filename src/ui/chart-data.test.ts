/**
 * Every chart has its numbers: each recharts chart in the labs' and the shell's panels is drawn beside
 * the shared ChartData table ("Numbers behind the chart", src/ui/ChartData.tsx), so a screen reader or a
 * keyboard user gets what the picture shows. Checked on the source: per file, as many ChartData as
 * charts. A file may instead show its numbers in a visible table of its own, named here with the reason.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../cli/paths';

const CHART = /<(LineChart|BarChart|ScatterChart|ComposedChart|AreaChart|PieChart|RadarChart)\b/g;

/** Files whose chart has a visible table of the same numbers instead (and the test id that shows it). */
const OWN_TABLE: Record<string, string> = {
  // the DP models' table (epsilon, delta, accuracy and the training settings of every point) is always shown
  'src/labs/privacy/ui/DpChartPanel.tsx': 'data-testid="pv-dpchart-table"',
};

function tsxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsxFiles(p);
    return p.endsWith('.tsx') && !p.endsWith('.test.tsx') ? [p] : [];
  });
}

describe('charts and their numbers', () => {
  const root = projectRoot();
  const files = tsxFiles(join(root, 'src')).map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') }));
  const withCharts = files.filter((f) => (f.text.match(CHART) ?? []).length > 0);

  it('finds the charts (the scan sees the panels)', () => {
    expect(withCharts.length).toBeGreaterThanOrEqual(10);
  });

  it('puts a ChartData table beside every chart', () => {
    const missing = withCharts
      .filter((f) => !(f.path in OWN_TABLE))
      .map((f) => ({ file: f.path, charts: (f.text.match(CHART) ?? []).length, tables: (f.text.match(/<ChartData\b/g) ?? []).length }))
      .filter((f) => f.tables < f.charts);
    expect(missing).toEqual([]);
  });

  it('keeps the files with a table of their own honest', () => {
    for (const [path, marker] of Object.entries(OWN_TABLE)) {
      const f = files.find((x) => x.path === path);
      expect(f, path).toBeDefined();
      expect(f!.text).toContain(marker);
      expect(f!.text.match(CHART)?.length, path).toBeGreaterThan(0);
    }
  });
});
