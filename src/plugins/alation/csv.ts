import { CsvError, parse } from 'csv-parse/sync';

/** One CSV record and the physical line it starts on (the header is line 1). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export interface CsvParseResult {
  records: CsvRecord[];
  /** Where the file stops being CSV (a stray quote, a quote never closed): nothing past it is read. */
  error: { line: number; message: string } | null;
}

/** Separators people save "CSV" with that are not commas, as the error names them. */
const OTHER_DELIMITERS: [string, string][] = [
  [';', '";" (semicolons)'],
  ['\t', 'tabs'],
  ['|', '"|" (pipes)'],
];

/**
 * RFC 4180 CSV, read by csv-parse: comma-separated, fields optionally in double quotes ("" inside
 * quotes is one "), quoted fields may hold commas and line breaks, CRLF or LF line ends, a leading
 * BOM ignored, blank lines skipped. Text after a closing quote (`"a" ,b`, `"Q"x`) is an error, not
 * glued on. A file whose header is one column holding another separator is refused by name.
 */
export function parseCsv(text: string): CsvParseResult {
  const records: CsvRecord[] = [];
  // Line numbers are counted from each record's raw text, on one kind of line end.
  let nextLine = 1;
  const leadingNewlines = (raw: string) => {
    let n = 0;
    while (raw.charCodeAt(n) === 10) n++;
    return n;
  };
  const startOf = (raw: string) => nextLine + leadingNewlines(raw);
  try {
    parse(text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      raw: true,
      on_record: (value) => {
        // With `raw`, csv-parse hands each record over as { record, raw } (its types say string[]).
        const { record, raw } = value as unknown as { record: string[]; raw: string };
        const leading = leadingNewlines(raw);
        const line = nextLine + leading;
        let breaks = 0;
        for (let at = raw.indexOf('\n', leading); at >= 0; at = raw.indexOf('\n', at + 1)) breaks++;
        // The record's own line end moves to the next line; a last record without one still ends its line.
        nextLine = line + (raw.endsWith('\n') ? breaks : breaks + 1);
        if (!(record.length === 1 && record[0].trim() === '')) records.push({ line, fields: record });
        return null;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = startOf(typeof (error as { raw?: unknown }).raw === 'string' ? ((error as { raw?: string }).raw as string) : '');
    const message =
      error.code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'A quoted field is never closed: the file cannot be read past this line.'
        : error.code === 'CSV_INVALID_CLOSING_QUOTE'
          ? 'Text follows a closing quote (a quoted field must end at a comma or the end of the line): the file cannot be read past this line.'
          : `Not valid CSV (${error.code}): the file cannot be read past this line.`;
    return { records, error: { line, message } };
  }
  const header = records[0];
  if (header && header.fields.length === 1) {
    const other = OTHER_DELIMITERS.find(([delimiter]) => header.fields[0].includes(delimiter));
    if (other) return { records: [], error: { line: 1, message: `The file is separated by ${other[1]}; keygate reads comma-separated files: save it as CSV with commas.` } };
  }
  return { records, error: null };
}
