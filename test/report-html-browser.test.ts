import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runReport, type ReportSummary } from '../src/report/index.js';
import { makeGeoRecords, MALFORMED_LINES, writeGeoLogFile } from './support/make-geo-log.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];
const NOW = new Date('2026-11-27T12:00:00Z');
const OUTPUT_DIR = path.resolve('test-output');
// Set GEO_RESPONSE_UPDATE_DOCS=1 to refresh the README assets docs/report-html.png and docs/report-table.txt.
const UPDATE_DOCS = process.env.GEO_RESPONSE_UPDATE_DOCS === '1';

async function report(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await runReport(args, {
    stdout: new Writable({ write: (chunk, _encoding, done) => ((stdout += String(chunk)), done()) }),
    stderr: new Writable({ write: (_chunk, _encoding, done) => done() }),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    now: NOW,
    home: '/nonexistent-home',
  });
  return { code, stdout };
}

describe.skipIf(!existsSync(CHROMIUM))(`HTML report in headless Chromium (skipped: ${CHROMIUM} is absent)`, () => {
  it('loads nothing but itself, shades exactly the countries in the data, and renders', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'report-browser-'));
    const log = path.join(dir, 'geo-response.log');
    const records = makeGeoRecords({ seed: 11, count: 4000, start: new Date('2026-11-20T12:00:00Z'), end: new Date('2026-11-27T11:00:00Z'), distinctIps: 600 });
    writeGeoLogFile(log, [...records.map((record) => JSON.stringify(record)), ...MALFORMED_LINES]);
    const html = path.join(dir, 'report.html');
    expect((await report(['--format', 'html', '--output', html, log])).code).toBe(0);
    const summary = JSON.parse((await report(['--format', 'json', log])).stdout) as ReportSummary;
    const inData = new Set(summary.countries.rows.flatMap((row) => (row.iso_code === null ? [] : [row.iso_code])));

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1040, height: 900 } });
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      const url = pathToFileURL(html).href;
      await page.goto(url, { waitUntil: 'load' });
      const shapes = await page.$$eval('[data-iso]', (elements) =>
        elements.map((element) => ({ iso: element.getAttribute('data-iso')!, shaded: element.classList.contains('shaded'), unshaded: element.classList.contains('unshaded'), count: Number(element.getAttribute('data-count')) })),
      );
      expect(requests).toEqual([url]);
      expect(shapes.length).toBeGreaterThan(150);
      for (const shape of shapes) {
        expect(shape.shaded, shape.iso).toBe(inData.has(shape.iso));
        expect(shape.unshaded, shape.iso).toBe(!inData.has(shape.iso));
        expect(shape.count > 0, shape.iso).toBe(inData.has(shape.iso));
      }
      // Every country in the data is somewhere on the map: a shape, or a marker for the small ones.
      expect(new Set(shapes.filter((shape) => shape.shaded).map((shape) => shape.iso))).toEqual(inData);
      expect(await page.locator('circle.marker[data-iso="SG"]').count()).toBe(1);
      const box = await page.locator('svg.world-map').boundingBox();
      expect(box?.width).toBeGreaterThan(800);
      mkdirSync(OUTPUT_DIR, { recursive: true });
      const screenshot = path.join(OUTPUT_DIR, 'report-html.png');
      await page.screenshot({ path: screenshot, fullPage: false });
      expect(existsSync(screenshot)).toBe(true);
      if (UPDATE_DOCS) {
        copyFileSync(screenshot, path.resolve('docs/report-html.png'));
        writeFileSync(path.resolve('docs/report-table.txt'), (await report(['--format', 'table', log])).stdout.replaceAll(dir, '/var/ossec/logs'));
      }
    } finally {
      await browser.close();
    }
  }, 60_000);
});
