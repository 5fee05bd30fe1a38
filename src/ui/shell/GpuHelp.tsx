import type { ReactNode } from 'react';
import type { GpuUnavailableReason } from '../../store/slices/gpu';

/** Headline for each way WebGPU can be unavailable. */
export const UNAVAILABLE_TITLES: Record<GpuUnavailableReason, string> = {
  'no-api': 'This browser does not support WebGPU',
  'no-adapter': 'WebGPU found no usable GPU',
  'device-failed': 'The GPU refused to start a device',
  error: 'The GPU could not be started',
};

function Steps({ items }: { items: ReactNode[] }) {
  return (
    <ol className="steps">
      {items.map((item, i) => (
        <li key={i}>{item}</li>
      ))}
    </ol>
  );
}

function NoApiSteps() {
  const insecure = typeof window !== 'undefined' && !window.isSecureContext;
  return (
    <>
      <Steps
        items={[
          <>
            Use <strong>Chrome or Edge 113 or newer</strong> on Windows, macOS or ChromeOS — WebGPU is on by default.
          </>,
          <>
            On <strong>Linux</strong>, start Chrome with <code>--enable-unsafe-webgpu --enable-features=Vulkan</code>,
            or enable <code>chrome://flags/#enable-unsafe-webgpu</code> and relaunch.
          </>,
          <>
            <strong>Safari 26+</strong> and <strong>Firefox 141+</strong> support WebGPU on platforms where it has
            shipped; elsewhere it may still be behind a setting.
          </>,
          <>
            Open the studio over <code>https://</code> or <code>http://localhost</code>: browsers only offer WebGPU to
            secure pages.
          </>,
        ]}
      />
      {insecure && (
        <p className="callout callout--warning" data-testid="insecure-context">
          This page was opened from <code>{window.location.origin}</code>, which is not a secure context, so WebGPU
          is hidden even in a supporting browser. Serve it over https or open it as localhost.
        </p>
      )}
    </>
  );
}

function NoAdapterSteps() {
  return (
    <Steps
      items={[
        <>
          Turn on <strong>“Use graphics acceleration when available”</strong> in <code>chrome://settings/system</code>{' '}
          and relaunch the browser.
        </>,
        <>
          Open <code>chrome://gpu</code>: WebGPU should read “Hardware accelerated”. If your GPU is blocklisted, enable{' '}
          <code>chrome://flags/#enable-unsafe-webgpu</code>.
        </>,
        <>
          On <strong>Linux</strong>, install Vulkan drivers and start Chrome with{' '}
          <code>--enable-unsafe-webgpu --enable-features=Vulkan</code>.
        </>,
        <>Update your graphics driver. On a laptop, plug in the charger so the browser may use the discrete GPU.</>,
      ]}
    />
  );
}

function DeviceFailedSteps() {
  return (
    <Steps
      items={[
        <>Close other tabs or apps that use the GPU heavily (games, video editors, other WebGPU pages).</>,
        <>Press “Try again”. If it keeps failing, restart the browser.</>,
        <>
          Check <code>chrome://gpu</code> for driver problems and update your graphics driver.
        </>,
      ]}
    />
  );
}

/** What to do, for one unavailable reason. */
export function GpuFixSteps({ reason }: { reason: GpuUnavailableReason }) {
  if (reason === 'no-api') return <NoApiSteps />;
  if (reason === 'no-adapter') return <NoAdapterSteps />;
  return <DeviceFailedSteps />;
}
