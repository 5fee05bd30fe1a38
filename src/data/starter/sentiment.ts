import { pair, type StarterDataset } from './types';

const ask = 'Label the sentiment of this customer review as positive, negative or mixed. Answer with one word.';
const reviews: [string, string][] = [
  ['The kettle boils in under two minutes and the handle stays cool. Exactly what I wanted.', 'positive'],
  ['Stopped charging after nine days. Support never answered my emails.', 'negative'],
  ['Lovely fabric and the colour matches the photos, but the sleeves run very short.', 'mixed'],
  ['I bought a second one for my sister because the first has been so reliable.', 'positive'],
  ['The app logs me out every few minutes, which makes the watch nearly useless.', 'negative'],
  ['Setup took an hour longer than promised, though once running it has been flawless.', 'mixed'],
  ['Comfortable straight out of the box; I walked ten kilometres on day one without a blister.', 'positive'],
  ['Arrived with a cracked lid and the replacement had the same crack.', 'negative'],
  ['Great sound for the price. The case feels cheap and the buttons rattle.', 'mixed'],
  ['Honestly the best bread knife I have owned, and I have owned many.', 'positive'],
];

export const sentiment: StarterDataset = {
  name: 'Starter · Review sentiment',
  description: 'Classify short product reviews. One-word answers make the trained tokens easy to see.',
  systemPrompt: '',
  examples: reviews.map(([review, label], i) => ({
    body: pair(ask, review, label),
    tags: ['classification'],
    split: i >= 8 ? 'validation' : 'train',
  })),
};
