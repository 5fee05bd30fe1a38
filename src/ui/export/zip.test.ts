import { describe, expect, it } from 'vitest';
import { crc32, unzipStore, zipStore } from './zip';

describe('zipStore', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('hello'))).toBe(0x3610a686);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
  it('round-trips text and binary entries with UTF-8 names', () => {
    const bin = new Uint8Array(1000).map((_, i) => (i * 37) & 0xff);
    const zip = zipStore([
      { name: 'adapter_config.json', data: '{"r": 8}\n' },
      { name: 'adapter_model.safetensors', data: bin },
      { name: 'README – ünïcode.md', data: '# hi' },
    ]);
    expect([...zip.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    // End of central directory: the directory's size and offset describe exactly the bytes before it.
    const eocd = new DataView(zip.buffer, zip.length - 22);
    expect(eocd.getUint32(12, true) + eocd.getUint32(16, true)).toBe(zip.length - 22);
    const back = unzipStore(zip);
    expect([...back.keys()]).toEqual(['adapter_config.json', 'adapter_model.safetensors', 'README – ünïcode.md']);
    expect(new TextDecoder().decode(back.get('adapter_config.json'))).toBe('{"r": 8}\n');
    expect(back.get('adapter_model.safetensors')).toEqual(bin);
  });
  it('detects a corrupted entry', () => {
    const zip = zipStore([{ name: 'a.txt', data: 'abcdef' }]);
    zip[30 + 5 + 2] ^= 0xff; // a byte of the data
    expect(() => unzipStore(zip)).toThrow(/CRC mismatch/);
  });
});
