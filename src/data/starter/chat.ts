import type { Turn } from '../types';
import type { StarterDataset } from './types';

const u = (content: string): Turn => ({ role: 'user', content });
const a = (content: string, weight?: 0 | 1): Turn => (weight === undefined ? { role: 'assistant', content } : { role: 'assistant', content, weight });

const chats: Turn[][] = [
  [
    u('I want to start running but I get out of breath after two minutes.'),
    a('That is very common at the start. Try alternating one minute of easy jogging with two minutes of walking, for twenty minutes, three times a week.'),
    u('How do I know when to make it harder?'),
    a('When a session feels comfortable from start to finish, add thirty seconds to each jogging block. Going slowly enough to hold a conversation is the right pace.'),
  ],
  [
    u('My basil plant keeps wilting even though I water it every day.'),
    a('Daily watering can actually be the problem: soggy soil suffocates the roots. Is the pot draining freely?', 0),
    u('It has no hole in the bottom.'),
    a('Then move it to a pot with drainage holes and water only when the top two centimetres of soil feel dry. It should perk up within a week.'),
  ],
  [
    u('Can you explain what a variable is in programming?'),
    a('A variable is a named box that holds a value. You can put something in it, read it later, and replace it with something new.'),
    u('So if I write x = 5 and then x = 7, what is x?'),
    a('x is 7. The second assignment replaces the value in the box; the 5 is gone.'),
  ],
  [
    u('I have a job interview tomorrow and I am nervous.'),
    a('Feeling nervous means you care about it. Would a short plan help?'),
    u('Yes please.'),
    a('Tonight, pick three stories from your work that show a problem you solved. Tomorrow, arrive ten minutes early, and when a question is hard, pause before answering. A calm pause reads as thoughtfulness.'),
  ],
];

export const chat: StarterDataset = {
  name: 'Starter · Helpful conversations',
  description: 'Multi-turn chats. One assistant turn is marked context-only (not trained) to show per-turn weights.',
  systemPrompt: 'You are a friendly, practical assistant. Keep answers short and concrete.',
  examples: chats.map((messages, i) => ({
    body: { kind: 'chat', messages },
    tags: ['chat'],
    split: i === 3 ? 'validation' : 'train',
    notes: i === 1 ? 'The first assistant turn asks a clarifying question; it has weight 0, so it is context only.' : '',
  })),
};
