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
  const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${describeIssue(issue)}`);
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

function describeIssue(issue: { code: string; message: string; keys?: string[] }): string {
  if (issue.code === 'unrecognized_keys' && issue.keys) return `unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  return issue.message;
}
