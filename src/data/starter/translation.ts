import { pair, type StarterDataset } from './types';

const ask = 'Translate into French.';
const lines: [string, string][] = [
  ['Where is the train station?', 'Où est la gare ?'],
  ['I would like a coffee with milk, please.', 'Je voudrais un café au lait, s’il vous plaît.'],
  ['The museum is closed on Mondays.', 'Le musée est fermé le lundi.'],
  ['Can you speak more slowly?', 'Pouvez-vous parler plus lentement ?'],
  ['We are looking for a cheap hotel near the beach.', 'Nous cherchons un hôtel bon marché près de la plage.'],
  ['My phone battery is almost empty.', 'La batterie de mon téléphone est presque vide.'],
  ['It is raining, so take an umbrella.', 'Il pleut, alors prends un parapluie.'],
  ['How much does this bicycle cost?', 'Combien coûte ce vélo ?'],
];

export const translation: StarterDataset = {
  name: 'Starter · English → French',
  description: 'Short travel sentences translated into French.',
  systemPrompt: 'You are a careful translator. Reply with the translation only.',
  examples: lines.map(([en, fr], i) => ({ body: pair(ask, en, fr), tags: ['translation'], split: i === 7 ? 'validation' : 'train' })),
};
