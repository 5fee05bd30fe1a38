import { describe, expect, it } from 'vitest';
import { shouldAutoload } from './autoload';

describe('shouldAutoload', () => {
  const ready = { gpuReady: true, hasModel: false, loading: false };
  const builtin = { kind: 'builtin' as const, baseUrl: 'http://localhost/models/studio-base', name: 'studio-base' };

  it('loads the built-in model on a first visit or when it was the last one used', () => {
    expect(shouldAutoload(ready, null, true)).toBe(true);
    expect(shouldAutoload(ready, builtin, true)).toBe(true);
  });

  it('does not when another model was used last, the preference is off, or it is not the moment', () => {
    expect(shouldAutoload(ready, { kind: 'hub', repo: 'HuggingFaceTB/SmolLM2-135M' }, true)).toBe(false);
    expect(shouldAutoload(ready, null, false)).toBe(false);
    expect(shouldAutoload({ ...ready, gpuReady: false }, null, true)).toBe(false);
    expect(shouldAutoload({ ...ready, hasModel: true }, null, true)).toBe(false);
    expect(shouldAutoload({ ...ready, loading: true }, null, true)).toBe(false);
  });
});
