import { describe, expect, it } from 'vitest';
import { BYTE_TO_CHAR, alignPieces, byteLevelPieceBytes, metaspacePieceBytes, visiblePiece } from './pieces.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const spans = (r: ReturnType<typeof alignPieces>) => (r ? [...r.starts].map((s, i) => [s, r.ends[i]]) : null);

describe('byte tables', () => {
  it('maps every byte to a distinct printable character, GPT-2 style', () => {
    expect(new Set(BYTE_TO_CHAR).size).toBe(256);
    expect(BYTE_TO_CHAR[0x20]).toBe('Ġ');
    expect(BYTE_TO_CHAR[0x0a]).toBe('Ċ');
    expect(BYTE_TO_CHAR[0x41]).toBe('A');
    expect([...byteLevelPieceBytes('Ġthe')]).toEqual([...enc(' the')]);
  });

  it('decodes SentencePiece pieces', () => {
    expect([...metaspacePieceBytes('▁the')]).toEqual([...enc(' the')]);
    expect([...metaspacePieceBytes('<0x0A>')]).toEqual([10]);
    expect([...metaspacePieceBytes('<0x0a>')]).toEqual([10]);
  });
});

describe('alignPieces', () => {
  it('aligns pieces that spell the text exactly', () => {
    expect(spans(alignPieces('ab cd', [enc('ab'), enc(' c'), enc('d')]))).toEqual([
      [0, 2],
      [2, 4],
      [4, 5],
    ]);
  });

  it('gives a multi-byte character to every token holding one of its bytes', () => {
    const b = enc('你');
    expect(spans(alignPieces('x你y', [enc('x'), b.slice(0, 1), b.slice(1), enc('y')]))).toEqual([
      [0, 1],
      [1, 2],
      [1, 2],
      [2, 3],
    ]);
    // Astral characters take two UTF-16 units.
    expect(spans(alignPieces('🙂!', [enc('🙂'), enc('!')]))).toEqual([
      [0, 2],
      [2, 3],
    ]);
  });

  it('treats a prepended ▁ that is not in the text as zero-width', () => {
    expect(spans(alignPieces('<s>hi', [enc('<s>'), enc(' '), enc('hi')]))).toEqual([
      [0, 3],
      [3, 3],
      [3, 5],
    ]);
    expect(spans(alignPieces('hi', [enc(' hi')]))).toEqual([[0, 2]]);
  });

  it('lets a token swallow whitespace it stripped (rstrip/lstrip added tokens)', () => {
    expect(spans(alignPieces('<x>  hi', [enc('<x>'), enc('hi')]))).toEqual([
      [0, 3],
      [3, 7],
    ]);
    expect(spans(alignPieces('hi \n', [enc('hi')]))).toEqual([[0, 4]]);
  });

  it('fails when the pieces do not spell the text', () => {
    expect(alignPieces('Hello', [enc('hello')])).toBeNull();
    expect(alignPieces('Hello!', [enc('Hello')])).toBeNull();
  });
});

describe('visiblePiece', () => {
  it('marks whitespace and shows broken UTF-8 as bytes', () => {
    expect(visiblePiece(enc(' a\n\tb\r'))).toBe('␣a↵⇥b␍');
    expect(visiblePiece(enc('你').slice(0, 2))).toBe('<0xE4><0xBD>');
  });
});
