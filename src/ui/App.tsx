import { useEffect, useState } from 'react';
import { acquireGpu, type Gpu } from '../engine/gpu/device';

export function App() {
  const [gpu, setGpu] = useState<Gpu | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    acquireGpu().then(setGpu, (e: Error) => setError(e.message));
  }, []);
  return (
    <main>
      <h1>WebGPU Fine-Tuning Studio</h1>
      {error && <p role="alert">{error}</p>}
      {gpu && <p data-testid="adapter">{gpu.adapter.vendor} {gpu.adapter.architecture} {gpu.adapter.description}</p>}
    </main>
  );
}
