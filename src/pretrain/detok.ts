/**
 * Brown corpus (form C, tagged) → plain English text. A file is paragraphs separated by blank lines, each paragraph
 * a few sentence lines of `word/tag` tokens, e.g.
 *
 *   ``/`` Only/rb a/at relative/jj handful/nn ''/'' ,/, the/at jury/nn said/vbd ./.
 *
 * We drop the tags (everything after the LAST slash: words such as `1/2/cd` keep their own slashes) and join the
 * words back with typeset spacing: `` and '' become straight double quotes that hug their text, punctuation attaches
 * to the word before it, opening brackets and `$` to the word after, `--` stands between spaces, and a lone `'`
 * alternates between an opening and a closing single quote within a paragraph. Paragraphs are joined with "\n\n".
 *
 * Two artifacts of the tagged form are undone first (see `normalizeWords`): sentence-final `?`, `!` and `;` are
 * doubled (`worry ? ?`), so is a sentence-final period after an abbreviation (`Jr. .`); and punctuation that was
 * printed inside a closing quote (`received,'' the jury`) is tokenized after it (`received '' , the jury`).
 */

/** No space before these. */
const ATTACH_LEFT = new Set([',', '.', ';', ':', '?', '!', ')', ']', '%', "''", '...']);
/** No space after these. */
const ATTACH_RIGHT = new Set(['(', '[', '$', '``']);

/** The word of a `word/tag` token (the tag is after the last slash). A token with no slash is kept whole. */
export function stripTag(token: string): string {
  const slash = token.lastIndexOf('/');
  return slash > 0 ? token.slice(0, slash) : token;
}

const DOUBLED = new Set(['?', '!', ';']);
const INSIDE_QUOTE = new Set([',', '.', '?', '!']);

/** Undo the doubled sentence-final marks and move , . ? ! back inside a closing double quote. */
export function normalizeWords(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    if (w === '') continue;
    const prev = out[out.length - 1];
    if (prev !== undefined && ((DOUBLED.has(w) && prev === w) || (w === '.' && prev.endsWith('.')))) continue;
    if (prev === "''" && INSIDE_QUOTE.has(w)) {
      const before = out[out.length - 2];
      out.pop();
      // `this? '' ?` already has its mark inside: drop the duplicate.
      if (before !== w && !(w === '.' && before?.endsWith('.'))) out.push(w);
      out.push("''");
      continue;
    }
    out.push(w);
  }
  return out;
}

/** Joins the words of one paragraph into text. */
export function detokenize(words: readonly string[]): string {
  let out = '';
  let glue = true; // the next word attaches to what came before (start of text, after an opening mark)
  let singleOpen = false;
  for (const raw of normalizeWords(words)) {
    let word = raw;
    let left: boolean; // attach to the previous word
    let right = false; // the next word attaches to this one
    if (raw === '``') {
      word = '"';
      left = false;
      right = true;
    } else if (raw === "''") {
      word = '"';
      left = true;
    } else if (raw === "'") {
      left = singleOpen;
      right = !singleOpen;
      singleOpen = !singleOpen;
    } else {
      left = ATTACH_LEFT.has(raw) || /^[.,;:?!]+$/.test(raw);
      right = ATTACH_RIGHT.has(raw);
    }
    if (out !== '' && !glue && !left) out += ' ';
    out += word;
    glue = right;
  }
  return out;
}

/** One tagged Brown file → its paragraphs as text (empty paragraphs dropped). */
export function brownFileToParagraphs(tagged: string): string[] {
  const paragraphs: string[] = [];
  for (const block of tagged.split(/\n[ \t]*\n/)) {
    const words = block.split(/\s+/).filter((t) => t !== '').map(stripTag);
    const text = detokenize(words);
    if (text !== '') paragraphs.push(text);
  }
  return paragraphs;
}

/** One tagged Brown file → a document: paragraphs separated by a blank line. */
export function brownFileToText(tagged: string): string {
  return brownFileToParagraphs(tagged).join('\n\n');
}
