/**
 * RFC 4180 CSV, read line by line so huge files can stream: quoted fields may hold commas, doubled quotes and line
 * breaks (kept exactly, CRLF included); records end with LF or CRLF. A record's line number is its first line.
 * Lenient where it is harmless (a stray quote inside an unquoted field is kept as text), strict where data would be
 * misread (text after a closing quote, a file ending inside quotes). The delimiter is a comma unless the header line
 * says otherwise (sniffDelimiter: semicolons from European spreadsheets, tabs, pipes).
 */

const DELIMITERS = [',', ';', '\t', '|'];

/** The delimiter a header line uses: the most frequent of , ; tab | outside quotes (a comma unless another wins). */
export function sniffDelimiter(line: string): string {
  const counts = new Map(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

export interface CsvRecord {
  line: number;
  fields: string[];
  raw: string;
  problem?: string;
}

export class CsvReader {
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  private afterQuote = false;
  private startLine = 0;
  private rawLines: string[] = [];
  private problem: string | undefined;

  constructor(readonly delimiter = ',') {}

  /** Feed one line (without its '\n'). Returns the record it completes, if any. */
  push(line: string, lineNo: number): CsvRecord | null {
    if (this.rawLines.length === 0) this.startLine = lineNo;
    this.rawLines.push(line);
    const n = line.length;
    for (let i = 0; i < n; i++) {
      const ch = line[i];
      if (this.inQuotes) {
        if (ch !== '"') this.field += ch;
        else if (line[i + 1] === '"') {
          this.field += '"';
          i++;
        } else {
          this.inQuotes = false;
          this.afterQuote = true;
        }
      } else if (ch === this.delimiter) {
        this.fields.push(this.field);
        this.field = '';
        this.afterQuote = false;
      } else if (ch === '\r' && i === n - 1) {
        // CRLF line ending
      } else if (this.afterQuote) {
        this.problem ??= `unexpected text after a closing quote in field ${this.fields.length + 1}`;
        this.field += ch;
      } else if (ch === '"' && this.field === '') this.inQuotes = true;
      else this.field += ch;
    }
    if (this.inQuotes) {
      this.field += '\n';
      return null;
    }
    return this.take();
  }

  /** Call at end of input: a record still open means the file ended inside quotes. */
  end(): CsvRecord | null {
    if (this.rawLines.length === 0) return null;
    this.problem ??= 'unterminated quoted field: the file ends inside quotes';
    if (this.field.endsWith('\n')) this.field = this.field.slice(0, -1);
    return this.take();
  }

  private take(): CsvRecord {
    this.fields.push(this.field);
    const rec: CsvRecord = { line: this.startLine, fields: this.fields, raw: this.rawLines.join('\n') };
    if (this.problem) rec.problem = this.problem;
    this.fields = [];
    this.field = '';
    this.inQuotes = this.afterQuote = false;
    this.rawLines = [];
    this.problem = undefined;
    return rec;
  }
}

export function isBlankRecord(r: CsvRecord): boolean {
  return r.fields.length === 1 && r.fields[0].trim() === '' && !r.raw.includes('"');
}

function cell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Serialize with a header row; CRLF record endings as RFC 4180 specifies. */
export function writeCsv(header: string[], rows: string[][]): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
