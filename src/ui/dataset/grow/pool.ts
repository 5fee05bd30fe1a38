/** What the generators learn from and compare against: the dataset's tasks, and every instruction already there. */
import type { Example } from '../../../data/types';
import type { SeedTask } from '../../../data/grow/selfInstruct';
import type { QueueItem } from '../../../db/growQueue';

/** One task per example: a pair's instruction and input, a chat's first user message (text bodies have none). */
export function seedTasksOf(examples: readonly Example[]): SeedTask[] {
  const out: SeedTask[] = [];
  for (const ex of examples) {
    const b = ex.body;
    if (b.kind === 'pair' && b.instruction.trim()) out.push({ instruction: b.instruction, input: b.input });
    else if (b.kind === 'chat') {
      const u = b.messages.find((m) => m.role === 'user');
      if (u?.content.trim()) out.push({ instruction: u.content });
    }
  }
  return out;
}

/** Instructions of the dataset and of the review queue: new ones must differ from all of them. */
export function existingInstructions(examples: readonly Example[], queue: readonly QueueItem[]): string[] {
  return [...seedTasksOf(examples).map((t) => t.instruction), ...queue.map((q) => q.body.instruction)];
}
