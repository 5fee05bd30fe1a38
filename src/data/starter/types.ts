import type { ExampleBody, Split } from '../types';

/** A starter dataset: written for the studio, small enough to read in a minute, good enough to learn from. */
export interface StarterDataset {
  name: string;
  description: string;
  systemPrompt: string;
  examples: { body: ExampleBody; tags: string[]; split?: Split; notes?: string }[];
}

export const pair = (instruction: string, input: string, output: string): ExampleBody => ({ kind: 'pair', instruction, input, output });
