import { describe, it, expect } from 'vitest';
import { parseSafetensorsHeader, serializeSafetensors, readHeaderLength, type TensorToWrite } from './safetensors';
import { ModelFileError } from './errors';

/** A file with the given header (object or raw JSON text) and `dataBytes` data bytes. */
function rawFile(header: unknown, dataBytes: number, rawHeader?: Uint8Array): Uint8Array {
  const json = rawHeader ?? new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + dataBytes);
  new DataView(out.buffer).setUint32(0, json.byteLength, true);
  out.set(json, 8);
  return out;
}

const F = 'bad.safetensors';
function parse(bytes: Uint8Array, fileSize: number | undefined = bytes.byteLength) {
  return parseSafetensorsHeader(bytes, { fileName: F, fileSize });
}
function fails(bytes: Uint8Array, message: RegExp, tensor?: string, fileSize?: number) {
  try {
    parse(bytes, fileSize ?? bytes.byteLength);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFileError);
    const err = e as ModelFileError;
    expect(err.file).toBe(F);
    expect(err.message.startsWith(`${F}: `)).toBe(true);
    expect(err.message).toMatch(message);
    expect(err.tensor).toBe(tensor);
    return;
  }
  throw new Error(`expected a ModelFileError matching ${message}`);
}

const t = (dtype: string, shape: number[], a: number, b: number) => ({ dtype, shape, data_offsets: [a, b] });

describe('serializeSafetensors', () => {
  it('writes the exact layout of the reference library', () => {
    const data = Float32Array.from([0, 1, 2, 3, 4, 5]);
    const one = serializeSafetensors([{ name: 'attn.0', dtype: 'F32', shape: [1, 2, 3], data }]);
    const json = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(json.length).toBe(64);
    expect(new DataView(one.buffer).getBigUint64(0, true)).toBe(64n);
    expect(new TextDecoder().decode(one.subarray(8, 72))).toBe(json);
    expect(new Float32Array(one.buffer.slice(72))).toEqual(data);

    // A 63-byte header gets one pad byte... here 65 → 72 with seven spaces, so the data stays 8-byte aligned.
    const padded = serializeSafetensors([{ name: 'attn0', dtype: 'F32', shape: [1, 1, 2, 3], data }]);
    const n = Number(new DataView(padded.buffer).getBigUint64(0, true));
    expect(n).toBe(72);
    expect(new TextDecoder().decode(padded.subarray(8, 8 + n))).toBe('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ');

    const empty = serializeSafetensors([]);
    expect(new TextDecoder().decode(empty.subarray(8))).toBe('{}      ');
    const meta = serializeSafetensors([], { framework: 'pt' });
    expect(new TextDecoder().decode(meta.subarray(8))).toBe('{"__metadata__":{"framework":"pt"}}     ');
  });

  it('orders tensors by descending dtype alignment, then by name, and round-trips through the parser', () => {
    const tensors: TensorToWrite[] = [
      { name: 'b.f16', dtype: 'F16', shape: [3], data: Uint16Array.from([1, 2, 3]) },
      { name: 'z.f32', dtype: 'F32', shape: [2, 2], data: Float32Array.from([1, -2, 3.5, 1e-30]) },
      { name: 'a.bf16', dtype: 'BF16', shape: [1, 3], data: Uint16Array.from([0x3f80, 0xbf80, 0x7f80]) },
      { name: 'a.f16', dtype: 'F16', shape: [0, 4], data: new Uint16Array(0) },
      { name: '10', dtype: 'F32', shape: [], data: Float32Array.from([7]) },
    ];
    const bytes = serializeSafetensors(tensors, { format: 'pt', note: 'ünïcode' });
    const h = parse(bytes);
    expect(h.tensors.map((x) => x.name)).toEqual(['10', 'z.f32', 'a.bf16', 'a.f16', 'b.f16']);
    expect(h.metadata).toEqual({ format: 'pt', note: 'ünïcode' });
    expect(h.dataOffset % 8).toBe(0);
    expect(bytes.byteLength).toBe(h.dataOffset + h.dataLength);
    for (const src of tensors) {
      const info = h.tensors.find((x) => x.name === src.name)!;
      expect(info).toMatchObject({ dtype: src.dtype, shape: src.shape, supported: true });
      const got = bytes.slice(h.dataOffset + info.begin, h.dataOffset + info.end);
      expect(got).toEqual(new Uint8Array(src.data.buffer, src.data.byteOffset, src.data.byteLength));
    }
    // Integer-like names keep their sorted place in the JSON text too (no object key reordering surprises).
    const text = new TextDecoder().decode(bytes.subarray(8, h.dataOffset));
    expect(text.indexOf('"10"')).toBeLessThan(text.indexOf('"z.f32"'));
  });

  it('rejects data that does not match the declared shape or dtype', () => {
    expect(() => serializeSafetensors([{ name: 'x', dtype: 'F32', shape: [3], data: new Float32Array(2) }])).toThrow(/3 elements but data has 2/);
    expect(() => serializeSafetensors([{ name: 'x', dtype: 'F16', shape: [2], data: new Float32Array(2) }])).toThrow(/Uint16Array/);
    expect(() =>
      serializeSafetensors([
        { name: 'x', dtype: 'F32', shape: [1], data: new Float32Array(1) },
        { name: 'x', dtype: 'F32', shape: [1], data: new Float32Array(1) },
      ]),
    ).toThrow(/twice/);
  });
});

describe('parseSafetensorsHeader', () => {
  it('parses buffers in other dtypes but marks them unsupported', () => {
    const h = parse(rawFile({ ids: t('I64', [2], 0, 16), w: t('BF16', [4], 16, 24) }, 24));
    expect(h.tensors.map((x) => [x.name, x.supported])).toEqual([
      ['ids', false],
      ['w', true],
    ]);
    expect(h.dataLength).toBe(24);
  });

  it('accepts an unknown file size (CORS hid it) and checks what it can', () => {
    const bytes = rawFile({ w: t('F32', [2], 0, 8) }, 8);
    expect(parse(bytes, undefined).dataLength).toBe(8);
  });

  it('rejects absurd or impossible header lengths', () => {
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setUint32(0, 200_000_000, true);
    fails(huge, /200000000-byte header \(limit 100000000\)/);
    const high = new Uint8Array(16);
    new DataView(high.buffer).setUint32(4, 1, true);
    fails(high, /header/);
    const beyond = rawFile({}, 0);
    new DataView(beyond.buffer).setUint32(0, 500, true);
    fails(beyond, /500-byte header but the file is only 10 bytes/);
    expect(() => readHeaderLength(new Uint8Array(5), { fileName: F })).toThrow(/only 5 bytes/);
  });

  it('rejects headers that are not UTF-8 JSON objects', () => {
    fails(rawFile(null, 0, Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])), /not valid UTF-8/);
    fails(rawFile('{"a": ', 0), /not valid JSON/);
    fails(rawFile('[1, 2]', 0), /not a JSON object/);
    fails(rawFile({ __metadata__: { a: 1 } }, 0), /"__metadata__" value for "a" is not a string/);
  });

  it('rejects unknown dtypes and bad shapes', () => {
    fails(rawFile({ w: t('F12', [2], 0, 8) }, 8), /tensor "w": unknown dtype "F12"/, 'w');
    fails(rawFile({ w: t('F32', [-2], 0, 8) }, 8), /invalid dimension -2/, 'w');
    fails(rawFile({ w: t('F32', [1.5], 0, 6) }, 6), /invalid dimension 1.5/, 'w');
    fails(rawFile({ w: t('F32', ['2' as unknown as number], 0, 8) }, 8), /invalid dimension "2"/, 'w');
    fails(rawFile({ w: { dtype: 'F32', shape: [2] } }, 8), /data_offsets/, 'w');
    fails(rawFile({ w: t('F32', [3], 0, 8) }, 8), /shape \[3\] × F32 \(4 bytes\) = 12 bytes, but data_offsets \[0, 8\] span 8/, 'w');
    fails(rawFile({ w: t('F32', [2], 8, 0) }, 8), /out of order/, 'w');
    fails(rawFile({ w: t('F32', [2], -8, 0) }, 8), /non-negative integers/, 'w');
  });

  it('rejects overlapping tensors, holes and files of the wrong length', () => {
    fails(rawFile({ a: t('F32', [2], 0, 8), b: t('F32', [2], 4, 12) }, 12), /tensor "b" \[4, 12\) overlaps "a"/, 'b');
    fails(rawFile({ a: t('F32', [2], 0, 8), b: t('F32', [2], 12, 20) }, 20), /hole of 4 bytes after "a", before "b"/, 'b');
    fails(rawFile({ a: t('F32', [2], 8, 16) }, 16), /hole of 8 bytes at the start/, 'a');
    fails(rawFile({ a: t('F32', [2], 0, 8), b: t('F16', [4], 8, 16) }, 12), /tensor "b" ends at data byte 16 but the file holds only 12 data bytes.*truncated/, 'b');
    fails(rawFile({ a: t('F32', [2], 0, 8) }, 10), /2 bytes after the last tensor/);
    // Entries may come in any order in the JSON; only their offsets matter.
    expect(parse(rawFile({ b: t('F16', [2], 8, 12), a: t('F32', [2], 0, 8) }, 12)).tensors.map((x) => x.name)).toEqual(['a', 'b']);
  });
});
