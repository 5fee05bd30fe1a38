/**
 * Splitting a JSON dataset (an array of rows, or an object with a "data"/"rows" array) into its rows *textually*, so
 * that each row keeps its line number and one broken row does not take the whole file down with it.
 */

/** 1-based line of a character position, from precomputed line starts. */
export function lineOf(lineStarts: number[], pos: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function skipWs(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  return i;
}

/** End (exclusive) of the JSON value starting at i, or -1 if the text ends inside it. Does not validate. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') {
    for (let j = i + 1; j < text.length; j++) {
      if (text[j] === '\\') j++;
      else if (text[j] === '"') return j + 1;
    }
    return -1;
  }
  if (c === '{' || c === '[') {
    const open: string[] = [];
    for (let j = i; j < text.length; j++) {
      const d = text[j];
      if (d === '"') {
        j = skipValue(text, j) - 1;
        if (j < 0) return -1;
      } else if (d === '{' || d === '[') open.push(d === '{' ? '}' : ']');
      else if (d === '}' || d === ']') {
        if (open.pop() !== d) return j; // mismatched bracket: the row ends (broken) before it
        if (open.length === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < text.length && !',]}\n\r\t '.includes(text[j])) j++;
  return j;
}

export interface JsonItem {
  start: number;
  end: number;
  /** Set when the row's extent could not be determined (the file ends inside it, a missing comma, …). */
  problem?: string;
}

/**
 * Rows of a JSON dataset as text ranges. Returns a message instead when the file is not an array of rows or an
 * object holding one under "data" or "rows".
 */
export function splitJsonRows(text: string): JsonItem[] | string {
  let i = skipWs(text, 0);
  if (text[i] === '{') {
    const keys: string[] = [];
    i = skipWs(text, i + 1);
    let found = -1;
    while (i < text.length && text[i] === '"') {
      const keyEnd = skipValue(text, i);
      if (keyEnd < 0) break;
      let key: string;
      try {
        key = JSON.parse(text.slice(i, keyEnd)) as string;
      } catch {
        break;
      }
      keys.push(key);
      i = skipWs(text, keyEnd);
      if (text[i] !== ':') break;
      i = skipWs(text, i + 1);
      if ((key === 'data' || key === 'rows') && text[i] === '[') {
        found = i;
        break;
      }
      const end = skipValue(text, i);
      if (end < 0) break;
      i = skipWs(text, end);
      if (text[i] === ',') i = skipWs(text, i + 1);
    }
    if (found < 0)
      return `expected a JSON array of rows, or an object with a "data" or "rows" array${keys.length ? ` (found an object with keys: ${keys.join(', ')})` : ''}`;
    i = found;
  }
  if (text[i] !== '[') return 'expected a JSON array of rows, or an object with a "data" or "rows" array';
  const items: JsonItem[] = [];
  i = skipWs(text, i + 1);
  if (text[i] === ']') return items;
  while (i < text.length) {
    const start = i;
    const end = skipValue(text, i);
    if (end < 0) {
      items.push({ start, end: text.length, problem: 'the file ends inside this row (unterminated string, object or list)' });
      return items;
    }
    if (end === start) {
      // a stray character where a row should start: report it and resync at the next comma
      const next = text.indexOf(',', start + 1);
      const stop = next < 0 ? text.length : next;
      items.push({ start, end: stop, problem: `unexpected ${JSON.stringify(text[start])} where a row should start` });
      if (next < 0) return items;
      i = skipWs(text, next + 1);
      continue;
    }
    items.push({ start, end });
    i = skipWs(text, end);
    if (text[i] === ',') i = skipWs(text, i + 1);
    else if (text[i] === ']') return items;
    else if (i >= text.length) {
      items.push({ start: text.length, end: text.length, problem: 'the file ends before the closing "]" of the row list' });
      return items;
    } else items.push({ start: i, end: i, problem: `missing "," between rows (found ${JSON.stringify(text[i])})` });
  }
  return items;
}
