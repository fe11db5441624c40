import type { Protocol, ReachabilityMatrix } from '../../engine/index.js';

/**
 * Renders a reachability matrix as a grid: one numbered row per source pod,
 * one column per destination pod, headed by the row number of that pod so
 * long names do not widen the columns. "." means allowed, "X" denied, the
 * notation of the Kubernetes network policy e2e tests.
 */
export function matrixText(matrix: ReachabilityMatrix, port: number | string, protocol: Protocol): string {
  const keys = Object.keys(matrix);
  const heading = `Reachability on port ${port}/${protocol} (rows: source, columns: destination; "." allowed, "X" denied)`;
  if (keys.length === 0) return `${heading}\nno pods found in the manifests`;

  const numberWidth = String(keys.length).length;
  const labelWidth = Math.max(...keys.map((key) => key.length));
  const cellWidth = Math.max(numberWidth, 1) + 1;
  const rowLabel = (key: string, index: number): string => `${String(index + 1).padStart(numberWidth)} ${key.padEnd(labelWidth)}`;

  const header = `${' '.repeat(numberWidth + 1 + labelWidth)}${keys.map((_, index) => String(index + 1).padStart(cellWidth)).join('')}`;
  const rows = keys.map((from, index) => {
    const cells = keys.map((to) => (matrix[from]![to] ? '.' : 'X').padStart(cellWidth)).join('');
    return `${rowLabel(from, index)}${cells}`;
  });
  return [heading, '', header, ...rows].join('\n');
}
