import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWazuh4, type Wazuh4Reply } from './support/execd';
import { makeBundleHome } from './support/bundle-home';

// A reply to check_keys that is neither `continue` nor `abort` is refused, as Wazuh's own programs
// do (they go on only on `continue`): HANDSHAKE_FAILED, exit 8, nothing blocked, and the record
// says why. The policy would block this address (95.173.130.7 is RU in the embedded database), so
// a refusal that quietly went on would run the recording firewall script.
const WAZUH4_ADD = readFileSync(join(__dirname, 'fixtures', 'messages', 'wazuh4-add.json'), 'utf8').trim();
const ATTACKER = '95.173.130.7';

function message(): Record<string, any> {
  const parsed = JSON.parse(WAZUH4_ADD);
  parsed.parameters.alert.data.srcip = ATTACKER;
  return parsed;
}

function homeThatWouldBlock() {
  const home = makeBundleHome();
  const script = join(home.home, 'active-response', 'bin', 'record-args.sh');
  const calls = join(home.home, 'firewall-calls.txt');
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\n`);
  chmodSync(script, 0o755);
  home.writeConfig({ policy: { mode: 'deny', countries: ['RU'] }, firewall: { backend: 'command', command: [script] } });
  return { home, calls };
}

const echoed = (command: string) => JSON.stringify({ ...message(), command });

const CASES: Array<{ title: string; reply: Wazuh4Reply; reason: string | RegExp }> = [
  { title: 'the message echoed with command "proceed"', reply: { line: echoed('proceed') }, reason: 'unexpected reply to check_keys: command "proceed" (expected "continue" or "abort")' },
  { title: 'the message echoed unchanged (command "add")', reply: { line: echoed('add') }, reason: 'unexpected reply to check_keys: command "add" (expected "continue" or "abort")' },
  { title: 'the message echoed with "CONTINUE" in capitals', reply: { line: echoed('CONTINUE') }, reason: 'unexpected reply to check_keys: command "CONTINUE" (expected "continue" or "abort")' },
  { title: 'a JSON object without a command', reply: { line: '{"version":1}' }, reason: 'unexpected reply to check_keys: command undefined (expected "continue" or "abort")' },
  { title: 'the bare word continue (not JSON)', reply: { line: 'continue' }, reason: /^reply to check_keys is not a JSON object: stdin is not valid JSON: / },
  { title: 'a JSON string "continue"', reply: { line: '"continue"' }, reason: 'reply to check_keys is not a JSON object: stdin JSON is not an object' },
  { title: 'an empty line', reply: { line: '' }, reason: /^reply to check_keys is not a JSON object: / },
  { title: 'EOF before any reply', reply: 'eof', reason: 'no reply to check_keys: stdin closed' },
];

describe('Wazuh 4 add: a bad reply to check_keys is refused', () => {
  it.each(CASES)('$title', async ({ reply, reason }) => {
    const { home, calls } = homeThatWouldBlock();
    const result = await runWazuh4(message(), reply, { command: home.command, env: home.env });
    expect(result.code).toBe(8);
    expect(result.checkKeys).toMatchObject({ command: 'check_keys', parameters: { keys: [ATTACKER] } });
    expect(existsSync(calls), 'the firewall script ran').toBe(false);
    const records = home.readRecords();
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record!.event.outcome).toBe('failure');
    expect(record!.event.reason).toEqual(typeof reason === 'string' ? reason : expect.stringMatching(reason));
    expect(result.stderr).toBe(`geo-response: ${record!.event.reason}\n`);
    expect(record!.source.ip).toBe(ATTACKER);
    expect(record!.geo_response.error_code).toBe('HANDSHAKE_FAILED');
    expect(record!.geo_response.decision).toBeUndefined();
    expect(record!.geo_response.firewall).toBeUndefined();
  });

  // The control: the same home and message with execd's real answer do block, so the refusals above are not the policy's doing.
  it('control: the reply "continue" runs the firewall script', async () => {
    const { home, calls } = homeThatWouldBlock();
    const result = await runWazuh4(message(), 'continue', { command: home.command, env: home.env });
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(readFileSync(calls, 'utf8')).toMatch(new RegExp(`^add root ${ATTACKER.replace(/\./g, '\\.')} `));
    expect(home.readRecords().map((record) => record.geo_response.firewall?.result)).toEqual(['blocked']);
  });
});
