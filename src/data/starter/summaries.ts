import { pair, type StarterDataset } from './types';

const ask = 'Summarise the passage in one sentence.';
const items: [string, string][] = [
  [
    'The town council voted on Tuesday to turn the empty car park behind the library into a community garden. Volunteers will build raised beds over the summer, and local schools have asked for plots so pupils can grow vegetables.',
    'The council approved turning the library car park into a community garden that volunteers and schools will use.',
  ],
  [
    'Researchers tracked 400 commuters for a year and found that those who cycled at least three days a week took fewer sick days than those who drove. The effect held after accounting for age and income, although the authors caution that healthier people may simply be more likely to cycle.',
    'A year-long study linked regular cycling to fewer sick days, though healthier people may be the ones who cycle.',
  ],
  [
    'Version 2.4 of the photo editor adds a batch export dialog, fixes a crash when opening very large TIFF files, and removes the long-deprecated plug-in API. Users who rely on old plug-ins are advised to stay on version 2.3 until their plug-ins are updated.',
    'Version 2.4 adds batch export, fixes a large-TIFF crash and drops the old plug-in API, so plug-in users should wait.',
  ],
  [
    'Octopuses can change the colour and texture of their skin in a fraction of a second. They do this with thousands of pigment cells that are opened and closed by tiny muscles, letting them blend into rocks, sand or coral.',
    'Octopuses camouflage themselves almost instantly by using muscles to control thousands of pigment cells in their skin.',
  ],
  [
    'Because of track maintenance, trains between the airport and the city centre will run every thirty minutes instead of every ten this weekend. A replacement bus will also leave from stop C every fifteen minutes.',
    'This weekend, maintenance cuts airport trains to every thirty minutes, with extra buses from stop C.',
  ],
  [
    'The bakery on Mill Street, open since 1962, will close at the end of the month. The owners say rising energy prices made the early-morning ovens too expensive, and they thanked customers for six decades of loyalty.',
    'A Mill Street bakery open since 1962 is closing this month because energy costs made baking unaffordable.',
  ],
];

export const summaries: StarterDataset = {
  name: 'Starter · One-sentence summaries',
  description: 'Short passages, each summarised in a single sentence.',
  systemPrompt: '',
  examples: items.map(([text, summary], i) => ({ body: pair(ask, text, summary), tags: ['summarization'], split: i === 5 ? 'validation' : 'train' })),
};
