import { GeoResponseError } from '../errors.js';
import { configSchema, type Config } from './config-schema.js';

/** Parse and validate the configuration file's text; every problem names its path and what was expected. */
export function parseConfig(text: string, fileName: string): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new GeoResponseError(`${fileName}: not valid JSON (${describeJsonError((error as Error).message, text)})`, {
      code: 'CONFIG_INVALID',
      kind: 'config',
      cause: error,
    });
  }
  const result = configSchema.safeParse(raw);
  if (result.success) {
    if (result.data.firewall.backend === 'command' && result.data.firewall.command === undefined) {
      throw new GeoResponseError(`${fileName}: firewall.command: expected [program, ...arguments] when firewall.backend is "command"`, {
        code: 'CONFIG_INVALID',
        kind: 'config',
      });
    }
    return result.data;
  }
  const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${describeIssue(issue, valueAt(raw, issue.path))}`);
  throw new GeoResponseError(`${fileName}: ${problems.join('; ')}`, { code: 'CONFIG_INVALID', kind: 'config', cause: result.error });
}

// V8 says where JSON broke as a character offset; an editor wants a line and a column.
function describeJsonError(message: string, text: string): string {
  const at = /at position (\d+)/.exec(message);
  if (at?.[1] === undefined) return message;
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '').replace(/ at position \d+.*$/, '')} at line ${line}, column ${column}`;
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');
}

// zod/mini says only "Invalid input" where a schema gave no message of its own: say what was expected and what was there.
function describeIssue(issue: { code: string; message: string; keys?: string[]; expected?: string; origin?: string; minimum?: unknown; maximum?: unknown }, value: unknown): string {
  if (issue.code === 'unrecognized_keys' && issue.keys) return `unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  if (issue.message !== 'Invalid input') return issue.message;
  if (issue.code === 'invalid_type' && issue.expected) return `expected ${withArticle(issue.expected === 'int' ? 'whole number' : issue.expected)}, got ${describeValue(value)}`;
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    const bound = issue.code === 'too_small' ? `at least ${String(issue.minimum)}` : `at most ${String(issue.maximum)}`;
    const unit = issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : '';
    return `expected ${withArticle(issue.origin ?? 'value')} of ${bound}${unit}, got ${describeValue(value)}`;
  }
  return `${issue.message} (${issue.code.replaceAll('_', ' ')}), got ${describeValue(value)}`;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let value = root;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return `${withArticle(typeof value)} (${text.length > 40 ? `${text.slice(0, 40)}…` : text})`;
}

function withArticle(noun: string): string {
  return `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
}
