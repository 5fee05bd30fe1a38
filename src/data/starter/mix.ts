import { pair, type StarterDataset } from './types';

export const mix: StarterDataset = {
  name: 'Starter · Multi-task mix',
  description: 'A little of everything, tagged by task, to try the tag filters and statistics.',
  systemPrompt: '',
  examples: [
    { body: pair('What is the boiling point of water at sea level in Celsius?', '', '100 °C.'), tags: ['qa'] },
    { body: pair('Extract every date from the text as YYYY-MM-DD.', 'The lease starts on 3 March 2025 and ends on 2 March 2026.', '2025-03-03\n2026-03-02'), tags: ['extraction'] },
    { body: pair('Rewrite the sentence so it sounds polite.', 'Send me the report now.', 'Could you send me the report when you have a moment?'), tags: ['rewriting'] },
    { body: pair('Write a Python function that returns the largest number in a list.', '', 'def largest(numbers):\n    return max(numbers)'), tags: ['code'] },
    { body: pair('A shop sells pens at 3 for 2 euros. How much do 12 pens cost?', '', '12 pens are 4 groups of 3, and each group costs 2 euros, so they cost 8 euros.'), tags: ['reasoning'] },
    { body: pair('Write a two-line poem about autumn.', '', 'The maple lets its red coins fall,\nand the garden counts them, one and all.'), tags: ['generation'] },
    { body: pair('Is the following statement a question or a command?', 'Close the window.', 'A command.'), tags: ['classification'] },
    { body: pair('Translate into Spanish.', 'The library opens at nine.', 'La biblioteca abre a las nueve.'), tags: ['translation'], split: 'validation' },
    { body: { kind: 'text', text: 'Fine-tuning adapts a pretrained model to a narrow task with a small set of carefully written examples. Quality matters more than quantity.' }, tags: ['generation'], notes: 'A plain text document: all of its tokens are trained.' },
  ],
};
