import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipStreamSink } from '../engine/export/zipStream';
import { crc32Update } from '../engine/export/crc32';
import { bytesFile, runExport, textFile, type PlannedFile } from '../engine/export/sink';

/** Reads a stored zip through its central directory, following ZIP64 records; CRCs checked. */
function readZip(zip: Uint8Array): Map<string, Uint8Array> {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = zip.length - 22;
  while (v.getUint32(end, true) !== 0x06054b50) end--;
  let count = v.getUint16(end + 10, true);
  let p = v.getUint32(end + 16, true);
  if (p === 0xffffffff) {
    const loc = end - 20;
    expect(v.getUint32(loc, true)).toBe(0x07064b50);
    const z = Number(v.getBigUint64(loc + 8, true));
    expect(v.getUint32(z, true)).toBe(0x06064b50);
    count = Number(v.getBigUint64(z + 32, true));
    p = Number(v.getBigUint64(z + 48, true));
  }
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    expect(v.getUint32(p, true)).toBe(0x02014b50);
    const crc = v.getUint32(p + 16, true), nameLen = v.getUint16(p + 28, true), extraLen = v.getUint16(p + 30, true);
    let size = v.getUint32(p + 24, true), local = v.getUint32(p + 42, true);
    if (size === 0xffffffff) {
      const x = p + 46 + nameLen;
      expect(v.getUint16(x, true)).toBe(1);
      size = Number(v.getBigUint64(x + 4, true));
      local = Number(v.getBigUint64(x + 20, true));
    }
    const name = new TextDecoder().decode(zip.subarray(p + 46, p + 46 + nameLen));
    expect(v.getUint32(local, true)).toBe(0x04034b50);
    const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    const data = zip.subarray(start, start + size);
    expect((crc32Update(0xffffffff, data) ^ 0xffffffff) >>> 0, name).toBe(crc);
    out.set(name, data);
    p += 46 + nameLen + extraLen + v.getUint16(p + 32, true);
  }
  return out;
}

async function zipOf(files: PlannedFile[], opts: { forceZip64?: boolean } = {}) {
  const parts: Uint8Array[] = [];
  let finished = false, discarded = false;
  const sink = new ZipStreamSink({ folder: 'my-model', emit: (c) => void parts.push(c.slice()), finish: () => void (finished = true), discard: () => void (discarded = true), ...opts });
  let err: unknown = null;
  await runExport(sink, files).catch((e: unknown) => (err = e));
  const zip = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    zip.set(p, at);
    at += p.byteLength;
  }
  return { zip, finished, discarded, err };
}

const files = (): PlannedFile[] => {
  const big = new Uint8Array(300_000).map((_, i) => (i * 7919) & 0xff);
  return [
    textFile('config.json', '{"a": 1}\n'),
    { name: 'model.safetensors', size: big.length, async *bytes() { for (let i = 0; i < big.length; i += 65536) { await Promise.resolve(); yield big.subarray(i, i + 65536); } } },
    bytesFile('ünïcode.md', new TextEncoder().encode('# hi')),
  ];
};

describe('streamed zip', () => {
  for (const forceZip64 of [false, true]) {
    it(`round-trips every file under the folder${forceZip64 ? ' with ZIP64 records' : ''}`, async () => {
      const { zip, finished, err } = await zipOf(files(), { forceZip64 });
      expect(err).toBeNull();
      expect(finished).toBe(true);
      const back = readZip(zip);
      expect([...back.keys()]).toEqual(['my-model/config.json', 'my-model/model.safetensors', 'my-model/ünïcode.md']);
      expect(new TextDecoder().decode(back.get('my-model/config.json'))).toBe('{"a": 1}\n');
      expect(back.get('my-model/model.safetensors')!.length).toBe(300_000);
      // Python's zipfile agrees, when there is one.
      const py = spawnSync('python3', ['-c', 'import sys,zipfile;z=zipfile.ZipFile(sys.argv[1]);assert z.testzip() is None;print(len(z.namelist()))', write(zip)], { encoding: 'utf8' });
      if (py.status !== null && !py.error) expect(py.stdout.trim()).toBe('3');
    });
  }
  it('a failing export discards the stream instead of finishing it', async () => {
    const bad: PlannedFile = { name: 'x', size: 10, async *bytes() { await Promise.resolve(); yield new Uint8Array(3); throw new Error('disk gone'); } };
    const { finished, discarded, err } = await zipOf([textFile('a', 'a'), bad]);
    expect(String(err)).toContain('disk gone');
    expect(finished).toBe(false);
    expect(discarded).toBe(true);
  });
});

function write(zip: Uint8Array): string {
  const p = join(mkdtempSync(join(tmpdir(), 'zip-')), 'a.zip');
  writeFileSync(p, zip);
  return p;
}
