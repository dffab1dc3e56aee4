/**
 * The Filebeat inputs in active-response/filebeat/ are well-formed YAML that reads the geo log as
 * JSON lines into the template's indices. Parsed with PyYAML (python3-yaml): Node has no YAML
 * parser and the project needs none at run time.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './support/bundle-home';

const FILEBEAT = join(REPO_ROOT, 'active-response', 'filebeat');
const TEMPLATE = JSON.parse(readFileSync(join(REPO_ROOT, 'active-response', 'elasticsearch', 'geo-response-template.json'), 'utf8'));
const hasPyYaml = spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0;

function parseYaml(file: string): unknown {
  const result = spawnSync('python3', ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${file} is not YAML: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

// The template's pattern with its `*` standing for the date Filebeat formats into the index name.
const indexMatchesTemplate = (index: string) => TEMPLATE.index_patterns.some((pattern: string) => index.replace('%{+yyyy.MM.dd}', '2026.11.28').startsWith(pattern.replace('*', '')));

describe.skipIf(!hasPyYaml)('Filebeat inputs (skipped: python3 with PyYAML is needed to parse them)', () => {
  it('filestream with the ndjson parser, into geo-response-*', () => {
    const [input] = parseYaml(join(FILEBEAT, 'geo-response.yml')) as Array<Record<string, any>>;
    expect(input).toMatchObject({ type: 'filestream', id: 'geo-response', paths: ['/var/ossec/logs/geo-response.log'] });
    expect(input!.parsers).toEqual([{ ndjson: { target: '', overwrite_keys: true, add_error_key: true } }]);
    expect(indexMatchesTemplate(input!.index)).toBe(true);
  });

  it("the log input for Wazuh's Filebeat 7.10, into geo-response-*", () => {
    const [input] = parseYaml(join(FILEBEAT, 'geo-response-log-input.yml')) as Array<Record<string, any>>;
    expect(input).toMatchObject({ type: 'log', paths: ['/var/ossec/logs/geo-response.log'], 'json.keys_under_root': true, 'json.overwrite_keys': true });
    expect(indexMatchesTemplate(input!.index)).toBe(true);
  });
});
