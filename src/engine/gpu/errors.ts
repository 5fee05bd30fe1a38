/**
 * Errors the GPU runtime raises. Each carries a message written for the person using the studio, not for us:
 * what happened and what they can do about it.
 */

export class WebGpuUnavailableError extends Error {
  readonly reason: 'no-api' | 'no-adapter' | 'device-failed';
  constructor(reason: 'no-api' | 'no-adapter' | 'device-failed', detail?: string) {
    const messages = {
      'no-api':
        'This browser does not expose WebGPU (navigator.gpu is missing). Use a recent Chrome or Edge (113+), ' +
        'or Firefox/Safari with WebGPU enabled, and open the studio over https:// or http://localhost.',
      'no-adapter':
        'WebGPU is present but no GPU adapter was offered. Check that hardware acceleration is enabled ' +
        '(chrome://settings/system) and that your GPU is not blocklisted (chrome://gpu); ' +
        'on Linux you may need --enable-unsafe-webgpu --enable-features=Vulkan.',
      'device-failed': 'The GPU adapter refused to create a device.',
    } as const;
    super(detail ? `${messages[reason]} (${detail})` : messages[reason]);
    this.name = 'WebGpuUnavailableError';
    this.reason = reason;
  }
}

/** A request that exceeds what the device can do: names the limit so the user can shrink the job. */
export class GpuLimitError extends Error {
  constructor(what: string, limitName: string, requested: number, limit: number) {
    super(`${what} needs ${requested} but the device's ${limitName} is ${limit}. Use a smaller batch, sequence or model.`);
    this.name = 'GpuLimitError';
  }
}

/**
 * A run whose memory plan (transformer/memory.ts) cannot fit this device — a buffer or binding over a limit — refused
 * before anything is allocated. The message names the buffer and the limit and says what would fit.
 */
export class GpuMemoryPlanError extends GpuLimitError {
  constructor(message: string) {
    super('', '', 0, 0);
    this.message = message;
    this.name = 'GpuMemoryPlanError';
  }
}

export class DeviceLostError extends Error {
  constructor(message: string) {
    super(`The GPU device was lost: ${(message || 'no reason given').replace(/\.+$/, '')}. Your data is safe; reconnect the GPU to continue.`);
    this.name = 'DeviceLostError';
  }
}
