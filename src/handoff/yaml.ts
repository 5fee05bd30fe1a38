/** A small YAML writer for the hand-off configs: maps, lists and scalars (strings double-quoted, as JSON). */
type Value = string | number | boolean | null | Value[] | { [k: string]: Value };

function scalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

const isMap = (v: Value): v is { [k: string]: Value } => typeof v === 'object' && v !== null && !Array.isArray(v);

function lines(v: Value, indent: string): string[] {
  if (isMap(v)) {
    return Object.entries(v).flatMap(([k, x]) => {
      if ((isMap(x) && Object.keys(x).length) || (Array.isArray(x) && x.length)) return [`${indent}${k}:`, ...lines(x, indent + '  ')];
      return [`${indent}${k}: ${isMap(x) ? '{}' : Array.isArray(x) ? '[]' : scalar(x)}`];
    });
  }
  if (Array.isArray(v)) {
    return v.flatMap((x) => {
      if (isMap(x)) {
        const inner = lines(x, indent + '  ');
        return [`${indent}- ${inner[0].trimStart()}`, ...inner.slice(1)];
      }
      return [`${indent}- ${Array.isArray(x) ? JSON.stringify(x) : scalar(x)}`];
    });
  }
  return [`${indent}${scalar(v)}`];
}

export function toYaml(v: { [k: string]: Value }, comment?: string): string {
  return [...(comment ? comment.split('\n').map((l) => `# ${l}`) : []), ...lines(v, '')].join('\n') + '\n';
}

export type YamlValue = Value;
