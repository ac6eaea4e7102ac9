/** The widest a table gets without `--wide`: it fits a 120-column terminal. */
export const TABLE_WIDTH = 120;

/**
 * Rows under a header, columns aligned two spaces apart. With `shrinkable` (the columns that may be shortened with
 * `…`), the lines fit in {@link TABLE_WIDTH}. A row of one cell is a line of its own, as it is.
 */
export function alignedTable(header: string[], rows: string[][], shrinkable?: number[]): string {
  const table = rows.filter((r) => r.length === header.length);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  if (shrinkable) fit(widths, shrinkable, TABLE_WIDTH);
  const line = (cells: string[]) => (cells.length === 1 ? cells[0] : cells.map((cell, i) => (i === cells.length - 1 ? cell : shorten(cell, widths[i]).padEnd(widths[i]))).join('  '));
  return `${[header, ...rows].map(line).join('\n')}\n`;
}

/** Narrows the widest of the `shrinkable` columns, one character at a time, until the line fits in `max`. */
function fit(widths: number[], shrinkable: number[], max: number): void {
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  while (total() > max) {
    const widest = shrinkable.reduce((a, b) => (widths[b] > widths[a] ? b : a));
    if (widths[widest] <= 12) return;
    widths[widest]--;
  }
}

/** `text` in at most `width` characters: a file path keeps its end, other text its start. */
function shorten(text: string, width: number): string {
  if (text.length <= width) return text;
  return text.includes('/') ? `…${text.slice(text.length - width + 1)}` : `${text.slice(0, width - 1)}…`;
}
