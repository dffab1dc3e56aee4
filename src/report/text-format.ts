// Terminal control characters, C1 controls and bidi overrides: log text is attacker-influenced and must not drive the terminal.
const UNSAFE_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Log text made safe to print on a terminal: control and bidi characters become `?`. */
export function sanitizeTerminalText(text: string): string {
  return text.replace(UNSAFE_TERMINAL, '?');
}

/** A count with thousands separators (`12,345`), the same on every locale. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** A 0..1 share as a percentage with one decimal (`28.0%`). */
export function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** Cut `text` to `width` columns with an ellipsis, then pad it (right-aligned when `alignRight`). */
export function fitText(text: string, width: number, alignRight = false): string {
  const cut = text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
  return alignRight ? cut.padStart(width) : cut.padEnd(width);
}

/** Cut `text` to `width` columns from the left (`…/logs/geo-response.log`): a path's end says the most. */
export function fitTextLeft(text: string, width: number): string {
  return text.length > width ? `…${text.slice(text.length - width + 1)}` : text;
}

/** `2026-11-27 08:05` from an ISO timestamp (UTC). */
export function formatMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** A span in words: `6d 23h`, `3h 05m`, `42s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m`;
  return `${seconds}s`;
}

/** A byte count for people: `1.4 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1_048_576) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1_073_741_824) return `${(bytes / 1_048_576).toFixed(1)} MB`;
  return `${(bytes / 1_073_741_824).toFixed(1)} GB`;
}

/** The active filters as flags (`--country RU --since 2026-11-20T00:00:00.000Z`), or `none`. */
export function describeFilters(filters: {
  since: string | null;
  until: string | null;
  country: string[];
  asn: number[];
  decision: string[];
  rule: string[];
  action: string[];
  /** Absent in the JSON of reports made before the agent filter. */
  agent?: string[];
}): string {
  const parts: string[] = [];
  if (filters.since !== null) parts.push(`--since ${filters.since}`);
  if (filters.until !== null) parts.push(`--until ${filters.until}`);
  for (const [flag, values] of [
    ['country', filters.country],
    ['asn', filters.asn],
    ['decision', filters.decision],
    ['rule', filters.rule],
    ['action', filters.action],
    ['agent', filters.agent ?? []],
  ] as const) {
    if (values.length > 0) parts.push(`--${flag} ${values.join(',')}`);
  }
  return parts.length === 0 ? 'none' : parts.join(' ');
}
