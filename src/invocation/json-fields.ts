/*
 * Reading fields out of execd's JSON without a schema library: the active-response path
 * must start fast (see issue 6), and the messages are large alerts of which we read a dozen
 * fields. Each reader narrows the type and drops anything of the wrong shape.
 */

/** The value at a dotted path inside parsed JSON, or undefined. */
export function fieldAt(root: unknown, path: readonly string[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A non-empty string field (numbers are accepted and stringified: rule ids arrive both ways). */
export function stringAt(root: unknown, path: readonly string[]): string | undefined {
  const value = fieldAt(root, path);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A finite number field (numeric strings are accepted: Wazuh writes some levels as text). */
export function numberAt(root: unknown, path: readonly string[]): number | undefined {
  const value = fieldAt(root, path);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** An array of strings (other elements dropped). */
export function stringsAt(root: unknown, path: readonly string[]): string[] {
  const value = fieldAt(root, path);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Copy only the defined properties, so records never carry `undefined` keys. */
export function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> | undefined {
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as Partial<T>);
}
