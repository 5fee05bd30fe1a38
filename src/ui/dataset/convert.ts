/** Converting an example between kinds, keeping every piece of text somewhere sensible. */
import type { ExampleBody, Turn } from '../../data/types';

export function emptyBody(kind: ExampleBody['kind']): ExampleBody {
  if (kind === 'pair') return { kind: 'pair', instruction: '', input: '', output: '' };
  if (kind === 'chat') return { kind: 'chat', messages: [{ role: 'user', content: '' }, { role: 'assistant', content: '' }] };
  return { kind: 'text', text: '' };
}

export function convertBody(body: ExampleBody, to: ExampleBody['kind']): ExampleBody {
  if (body.kind === to) return body;
  if (body.kind === 'pair') {
    const prompt = [body.instruction, body.input].filter(Boolean).join('\n\n');
    if (to === 'chat') {
      const messages: Turn[] = [];
      if (body.system) messages.push({ role: 'system', content: body.system });
      messages.push({ role: 'user', content: prompt }, { role: 'assistant', content: body.output });
      return { kind: 'chat', messages };
    }
    return { kind: 'text', text: [body.system ?? '', prompt, body.output].filter(Boolean).join('\n\n') };
  }
  if (body.kind === 'chat') {
    if (to === 'pair') {
      const system = body.messages.find((m) => m.role === 'system')?.content;
      const users = body.messages.filter((m) => m.role === 'user').map((m) => m.content);
      const answers = body.messages.filter((m) => m.role === 'assistant').map((m) => m.content);
      return { kind: 'pair', instruction: users.join('\n\n'), input: '', output: answers.join('\n\n'), ...(system ? { system } : {}) };
    }
    return { kind: 'text', text: body.messages.map((m) => m.content).join('\n\n') };
  }
  if (to === 'pair') return { kind: 'pair', instruction: body.text, input: '', output: '' };
  return { kind: 'chat', messages: [{ role: 'user', content: body.text }, { role: 'assistant', content: '' }] };
}
