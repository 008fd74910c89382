/**
 * The text alternative of a chart: the numbers behind it as a table, folded under "Numbers behind the
 * chart" (a <details>, reachable and opened by keyboard, read by screen readers). Long series are
 * kept whole; the table scrolls. Shared by every lab's charts (recharts draws SVG with no text
 * alternative of its own).
 */
import type { ReactNode } from 'react';

export interface ChartColumn<R> {
  /** Column heading (with units). */
  label: string;
  /** The cell's text of a row. */
  value: (row: R) => ReactNode;
}

export function ChartData<R>({
  caption,
  columns,
  rows,
  testId,
}: {
  caption: string;
  columns: readonly ChartColumn<R>[];
  rows: readonly R[];
  testId?: string;
}) {
  return (
    <details className="chart-data" data-testid={testId} data-rows={rows.length}>
      <summary>Numbers behind the chart ({rows.length} rows)</summary>
      {/* a scrolling box takes the focus, so that the keyboard can scroll it */}
      <div className="chart-data-scroll" tabIndex={0} role="region" aria-label={caption}>
        <table>
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.label} scope="col">
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                {columns.map((c) => (
                  <td key={c.label}>{c.value(r)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** A number for a table cell: fixed decimals, or a dash for a missing value. */
export function cell(v: number | null | undefined, digits = 4): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}
