/** Vitest setup for every test file: release the Node WebGPU device (if a test made one) before the worker exits. */
import { afterAll } from 'vitest';
import { releaseTestGpu } from './gpu';

afterAll(releaseTestGpu);
