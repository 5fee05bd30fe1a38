import { describe, expect, it } from 'vitest';
import { plural, pluralNoun } from './plural';

describe('plural', () => {
  it('says 1 example and 2 examples', () => {
    expect(plural(1, 'example')).toBe('1 example');
    expect(plural(0, 'example')).toBe('0 examples');
    expect(plural(2, 'row')).toBe('2 rows');
    expect(plural(1024, 'token')).toBe('1,024 tokens');
  });
  it('knows the common irregular endings', () => {
    expect(pluralNoun(2, 'batch')).toBe('batches');
    expect(pluralNoun(3, 'entry')).toBe('entries');
    expect(pluralNoun(3, 'day')).toBe('days');
    expect(pluralNoun(2, 'person', 'people')).toBe('people');
  });
});
