import { describe, expect, it } from 'vitest';
import { brownFileToParagraphs, brownFileToText, detokenize, normalizeWords, stripTag } from './detok';

const words = (s: string) => s.split(' ');

describe('Brown detokenizer', () => {
  it('strips the tag after the last slash only', () => {
    expect(stripTag('jury/nn')).toBe('jury');
    expect(stripTag('1/2/cd')).toBe('1/2');
    expect(stripTag('Atlanta\'s/np$')).toBe("Atlanta's");
    expect(stripTag('plain')).toBe('plain');
  });

  it('joins words with typeset spacing', () => {
    expect(detokenize(words("The jury said `` no evidence '' , it said ."))).toBe('The jury said "no evidence," it said.');
    expect(detokenize(words('prices ( in dollars ) rose to $ 5 ; then -- suddenly -- fell !'))).toBe(
      'prices (in dollars) rose to $5; then -- suddenly -- fell!',
    );
    expect(detokenize(words("he said ' see Joe ' and left ."))).toBe("he said 'see Joe' and left.");
  });

  it('removes the doubled sentence marks of the tagged form', () => {
    expect(normalizeWords(words('worry ? ?'))).toEqual(['worry', '?']);
    expect(normalizeWords(words('Ivan Allen Jr. .'))).toEqual(['Ivan', 'Allen', 'Jr.']);
    expect(detokenize(words("`` Why do you worry ? '' ?"))).toBe('"Why do you worry?"');
    expect(detokenize(words('country ; ; but here'))).toBe('country; but here');
  });

  it('reads paragraphs of a tagged file', () => {
    const file = "\n\n\tThe/at Old/jj-tl Man/nn-tl ./.\nHe/pps slept/vbd ./.\n\n\n\t``/`` Yes/rb ''/'' ,/, she/pps said/vbd ./.\n";
    expect(brownFileToParagraphs(file)).toEqual(['The Old Man. He slept.', '"Yes," she said.']);
    expect(brownFileToText(file)).toBe('The Old Man. He slept.\n\n"Yes," she said.');
  });
});
