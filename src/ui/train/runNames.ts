/**
 * Run names: unique and editable, defaulting to "dataset · mode · date". One name is shown everywhere (runs list,
 * playground, export) and is the adapter's file name, so two runs never share a name, nor a file name (slug).
 */
import { listRuns, updateRun, type Run } from '../../db/runs';
import { slug } from '../export/download';

/** "Dec 4, 21:30" in the user's locale (short: it is part of a name). */
export function shortDate(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function defaultRunName(datasetName: string, modeLabel: string, at: number = Date.now()): string {
  return `${datasetName} · ${modeLabel} · ${shortDate(at)}`;
}

/** `wanted`, or "wanted (2)", "wanted (3)" … — the first whose name and file name no other run has. */
export function uniqueName(wanted: string, taken: readonly string[]): string {
  const base = wanted.trim().replace(/\s+/g, ' ') || 'Run';
  const slugs = new Set(taken.map(slug));
  const names = new Set(taken.map((n) => n.toLowerCase()));
  const free = (n: string) => !names.has(n.toLowerCase()) && !slugs.has(slug(n));
  if (free(base)) return base;
  // File names are cut at 60 characters (slug): a long name is shortened so that its number survives the cut.
  const stem = slug(base).length > 48 ? base.slice(0, 40).trim() : base;
  for (let i = 2; i < 1000; i++) if (free(`${stem} (${i})`)) return `${stem} (${i})`;
  return `${stem} (${Date.now().toString(36)})`;
}

/** A unique name among the stored runs (other than `exceptId`). */
export async function uniqueRunName(wanted: string, exceptId?: string): Promise<string> {
  const runs = await listRuns();
  return uniqueName(wanted, runs.filter((r) => r.id !== exceptId).map((r) => r.name));
}

/** Puts the run's name under the README's title ("Run: …"), replacing an earlier one. */
export function readmeWithName(readme: string, name: string): string {
  const line = `Run: **${name}**`;
  const lines = readme.split('\n');
  const at = lines.findIndex((l) => l.startsWith('Run: **'));
  if (at >= 0) {
    lines[at] = line;
    return lines.join('\n');
  }
  const title = lines.findIndex((l) => l.startsWith('# '));
  if (title < 0) return `${line}\n\n${readme}`;
  lines.splice(title + 1, 0, '', line);
  return lines.join('\n');
}

/** Renames a run (made unique); its stored README follows. Resolves with the name it got. */
export async function renameRun(run: Pick<Run, 'id' | 'adapter'>, wanted: string): Promise<string> {
  const name = await uniqueRunName(wanted, run.id);
  await updateRun(run.id, { name, ...(run.adapter ? { adapter: { ...run.adapter, readme: readmeWithName(run.adapter.readme, name) } } : {}) });
  return name;
}

/** What a picker shows for a run: its name, then steps and date, so look-alikes can be told apart. */
export function runOptionLabel(r: Pick<Run, 'name' | 'status' | 'createdAt'> & { doneSteps: number }): string {
  const what = r.status === 'imported' ? 'imported' : `${r.doneSteps} steps`;
  return `${r.name} — ${what}, ${shortDate(r.createdAt)}`;
}
