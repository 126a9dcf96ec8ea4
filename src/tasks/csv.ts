/**
 * A small RFC 4180 CSV parser (quoted fields, doubled quotes, commas and newlines inside quotes)
 * that remembers the line each record starts on, for error messages. The official MMLU CSVs use
 * exactly this dialect.
 */

/** One parsed record and the 1-based line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Thrown for an unterminated quoted field (the only structural error CSV has). `line` is where
 * the quote opened; `recordLine` is where the record holding it starts (earlier when an earlier
 * field of the same record spans lines).
 */
export class CsvSyntaxError extends Error {
  constructor(readonly line: number, message: string, readonly recordLine: number = line) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/** Parses CSV text into records; blank lines are skipped. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let quoteStartLine = 0;
  let fieldStarted = false;

  const endRecord = () => {
    fields.push(field);
    const blank = fields.length === 1 && fields[0] === '' && !fieldStarted;
    if (!blank) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };

  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === '') {
      inQuotes = true;
      fieldStarted = true;
      quoteStartLine = line;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (inQuotes) throw new CsvSyntaxError(quoteStartLine, 'unterminated quoted field', recordLine);
  if (field !== '' || fields.length > 0 || fieldStarted) endRecord();
  return records;
}

/** Quotes a field when needed, for writing CSV in the same dialect. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}
