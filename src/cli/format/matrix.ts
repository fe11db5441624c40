import type { Protocol, ReachabilityMatrix } from '../../engine/index.js';

/**
 * Renders a reachability matrix as a grid with one numbered row per source
 * pod and one column per destination pod. Each column is headed by the row
 * number of its pod, so long names do not widen the columns. Cells use the
 * notation of the Kubernetes network policy e2e tests: "." allowed, "X" denied.
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
