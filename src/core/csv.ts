/**
 * CSV text to rows: RFC 4180 quoting (a quoted cell may hold commas, line breaks and doubled quotes),
 * cells trimmed, blank lines skipped. Used by the CSV bulk load and the linkage evaluation.
 */

/**
 * Parse CSV text into trimmed string cells.
 * @param text - the CSV text
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell.trim()); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell.trim());
      if (row.some((x) => x !== '')) rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  row.push(cell.trim());
  if (row.some((x) => x !== '')) rows.push(row);
  return rows;
}


/**
 * Rows as objects keyed by the header's (lower-cased, trimmed) column names; missing cells are ''.
 * @param text - CSV text with a header line
 */
export function csvRecords(text: string): Array<Record<string, string>> {
  const [header, ...body] = parseCsv(text);
  const names = (header ?? []).map((h) => h.trim().toLowerCase());
  return body.map((cells) => Object.fromEntries(names.map((n, i) => [n, cells[i] ?? ''])));
}
