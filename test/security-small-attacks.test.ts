/**
 * Issue 11, the small ones: a NUL byte in the user name is the caller's bad input (exit 3), not
 * our crash (exit 1), and never reaches the `command` backend; a configuration of the wrong type
 * says which type was expected; CSV reports carry no raw terminal control bytes from the log.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWazuh4 } from './support/execd.js';
import { IS_ROOT, REPO_ROOT } from './support/fake-install-tree.js';
import {
  LAYOUTS,
  blockingConfig,
  createRecorder,
  sendAlert,
  stderrLines,
  wazuhAlert,
  writeAdminConfig,
} from './support/attack-install.js';
import { useAttackScene } from './support/attack-scene.js';
import { TEST_NODE } from './support/bundle-home.js';

const INPUT_EXIT_CODE = 3;
const CONFIG_EXIT_CODE = 4;
const ESC = 0x1b;
const BEL = 0x07;
const CONTROL_TEXT = '\u001b[2J\u001b]0;owned\u0007Evil\u0007';

const scene = useAttackScene();

describe.skipIf(!IS_ROOT).each(LAYOUTS)('$product: small ones (needs root: install.sh chowns)', (layout) => {
  it('a NUL byte in the user name with the command backend: input error (exit 3), the backend never runs', async () => {
    const target = scene.install(layout);
    const rec = createRecorder();
    scene.keep(rec.dir);
    writeAdminConfig(target, blockingConfig([rec.program]));

    // Only a JSON message can carry a NUL (argv cannot): Wazuh 4's, whatever the layout.
    const result = await runWazuh4(wazuhAlert('add', '1.1.1.1', 'ro\u0000ot'), 'continue', { command: [target.exe], env: { PATH: '/usr/bin:/bin' }, cwd: '/', timeoutMs: 20_000 });

    expect(result.code, result.stderr).toBe(INPUT_EXIT_CODE);
    expect(stderrLines(result)).toHaveLength(1);
    expect(rec.calls()).toEqual([]);
  });

  it('a configuration value of the wrong type names the key and the type expected', async () => {
    const target = scene.install(layout);
    writeAdminConfig(target, { firewall: { backend: 'none', expire_seconds: 'x' } });

    const result = await sendAlert(target);

    expect(result.code, result.stderr).toBe(CONFIG_EXIT_CODE);
    expect(stderrLines(result)).toHaveLength(1);
    expect(result.stderr).toMatch(/expire_seconds/);
    expect(result.stderr).toMatch(/expected (a )?number/i);
  });
});

describe('CSV reports keep no raw control bytes from the log', () => {
  // The tables that show text from the log (countries shows names from the ISO code).
  for (const table of ['asns', 'ips']) {
    it(`--table ${table}: no ESC or BEL byte, the text around them kept`, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gr-sec-csv-'));
      scene.keep(dir);
      const log = path.join(dir, 'geo-response.log');
      fs.writeFileSync(log, `${JSON.stringify(hostileRecord())}\n`);

      const result = spawnSync(TEST_NODE, [path.join(REPO_ROOT, 'dist', 'geo-response.js'), 'report', '--format', 'csv', '--table', table, log], { encoding: 'buffer', cwd: '/', env: { PATH: '/usr/bin:/bin' }, timeout: 30_000 });

      expect(result.status, result.stderr.toString()).toBe(0);
      const output = result.stdout as Buffer;
      expect(output.toString('utf8')).toMatch(/Evil/);
      expect(output.includes(ESC), 'raw ESC in the CSV').toBe(false);
      expect(output.includes(BEL), 'raw BEL in the CSV').toBe(false);
    });
  }
});

// A record as geo-response writes it, with terminal escapes in every text field a report shows.
function hostileRecord(): Record<string, unknown> {
  return {
    '@timestamp': '2026-11-27T12:00:00.000Z',
    event: { kind: 'event', module: 'geo-response', action: 'add', outcome: 'failure', reason: CONTROL_TEXT },
    // A public address: Top IPs (the ips table) lists public sources only.
    source: { ip: '45.33.32.9', geo: { country_iso_code: 'AU', country_name: `Australia ${CONTROL_TEXT}` }, as: { number: 64500, organization: { name: CONTROL_TEXT } } },
    user: { name: CONTROL_TEXT },
    rule: { id: '5710' },
    geo_response: { version: '0.1.0', protocol: 'ossec', error_code: `LOOKUP_${CONTROL_TEXT}`, decision: { action: 'block', reason: CONTROL_TEXT } },
  };
}
