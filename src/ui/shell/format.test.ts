import { describe, expect, it } from 'vitest';
import { adapterName, formatBytes, formatCount } from './format';
import { parseHash, ROUTES } from './routes';
import type { AdapterSummary } from '../../engine/gpu/device';

describe('formatBytes', () => {
  it('uses binary units and drops trailing zeros', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1023)).toBe('1023 bytes');
    expect(formatBytes(16384)).toBe('16 KiB');
    expect(formatBytes(65536)).toBe('64 KiB');
    expect(formatBytes(134217728)).toBe('128 MiB');
    expect(formatBytes(2 ** 30)).toBe('1 GiB');
    expect(formatBytes(1.5 * 2 ** 30)).toBe('1.5 GiB');
    // Chrome reports maxBufferSize as 2^32 - 4 on many GPUs: shown as 4 GiB, not 3.99.
    expect(formatBytes(2 ** 32 - 4)).toBe('4 GiB');
  });
  it('rejects nonsense instead of printing NaN', () => {
    expect(formatBytes(Number.NaN)).toBe('—');
    expect(formatBytes(-1)).toBe('—');
  });
});

describe('formatCount', () => {
  it('groups thousands', () => {
    expect(formatCount(65535)).toBe('65,535');
    expect(formatCount(256)).toBe('256');
  });
});

describe('adapterName', () => {
  const base: AdapterSummary = { vendor: '', architecture: '', device: '', description: '', isSoftware: false, features: [], limits: {} };
  it('prefers the description, else a readable vendor + architecture', () => {
    expect(adapterName({ ...base, description: 'NVIDIA GeForce RTX 4090' })).toBe('NVIDIA GeForce RTX 4090');
    expect(adapterName({ ...base, vendor: 'google', architecture: 'swiftshader' })).toBe('Google SwiftShader');
    expect(adapterName({ ...base, vendor: 'nvidia', architecture: 'ampere' })).toBe('NVIDIA Ampere');
    expect(adapterName(base)).toBe('Unknown GPU');
  });
});

describe('parseHash', () => {
  it('maps #/section to its route, empty to null, anything else to not-found', () => {
    for (const r of ROUTES) expect(parseHash(`#/${r.id}`)).toBe(r);
    expect(parseHash('#/dataset/')).toBe(ROUTES.find((r) => r.id === 'dataset'));
    expect(parseHash('')).toBeNull();
    expect(parseHash('#/')).toBeNull();
    expect(parseHash('#/nope')).toBe('not-found');
  });
});
