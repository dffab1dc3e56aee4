import { GeoResponseError } from '../errors.js';
import type { Action, ExecdProtocol } from '../log/record.js';
import { quoteForMessage } from '../geo/ip-address.js';

// Each protocol's own words for our two actions (Wazuh 5 says enable/disable).
const ACTION_WORDS: Record<ExecdProtocol, Record<string, Action>> = {
  ossec: { add: 'add', delete: 'delete' },
  wazuh4: { add: 'add', delete: 'delete' },
  wazuh5: { enable: 'add', disable: 'delete' },
};

/** Map a protocol's command word onto add/delete, or fail naming what it accepts. */
export function parseAction(word: unknown, protocol: ExecdProtocol): Action {
  const words = ACTION_WORDS[protocol];
  const action = typeof word === 'string' && Object.hasOwn(words, word) ? words[word] : undefined;
  if (action !== undefined) return action;
  const shown = typeof word === 'string' ? quoteForMessage(word) : String(word);
  throw new GeoResponseError(`unknown action ${shown}: expected ${Object.keys(words).join(' or ')}`, {
    code: 'UNKNOWN_ACTION',
    kind: 'usage',
  });
}
