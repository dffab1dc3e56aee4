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
// Set GEO_RESPONSE_UPDATE_DOCS=1 to refresh the docs assets docs/report-html.png and docs/report-table.txt.
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
      const shapes = await page.$$eval('.country[data-iso]', (elements) =>
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

// A manager's log: tens of thousands of records from several agents, neighbours with close labels.
describe.skipIf(!existsSync(CHROMIUM))(`HTML report for a manager of many agents, at 1400 px, 420 px and in print (skipped: ${CHROMIUM} is absent)`, () => {
  it('labels apart, colours that mean one thing, axes, no sideways page scroll, full tables on paper', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'report-browser-'));
    const log = path.join(dir, 'geo-response.log');
    const records = makeGeoRecords({ seed: 5, count: 50_000, start: new Date('2026-11-20T12:00:00Z'), end: new Date('2026-11-27T11:00:00Z'), distinctIps: 8000 });
    writeGeoLogFile(log, records.map((record) => JSON.stringify(record)));
    const html = path.join(dir, 'report.html');
    expect((await report(['--format', 'html', '--top', '25', '--output', html, log])).code).toBe(0);
    mkdirSync(OUTPUT_DIR, { recursive: true });

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      for (const width of [1400, 420]) {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
        // The page itself never scrolls sideways: wide tables scroll in their own box.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${width} px`).toBeLessThanOrEqual(0);
        // Labels as Chromium drew them: no two boxes overlap.
        const boxes = await page.$$eval('svg.world-map text.label', (labels) =>
          labels.map((label) => {
            const box = (label as SVGGraphicsElement).getBBox();
            return { text: label.textContent ?? '', left: box.x, right: box.x + box.width, top: box.y, bottom: box.y + box.height };
          }),
        );
        expect(boxes.map((box) => box.text.split(' ')[0])).toEqual(expect.arrayContaining(['GB', 'DE', 'JP', 'KR']));
        const overlapping = boxes.flatMap((a, i) => boxes.slice(i + 1).filter((b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom).map((b) => `${a.text} / ${b.text}`));
        expect(overlapping, `${width} px`).toEqual([]);
        await page.screenshot({ path: path.join(OUTPUT_DIR, `report-html-${width}.png`), fullPage: true });
        if (width === 1400) {
          // Dark red means blocks, and only blocks: no country is shaded with it.
          const fills = await page.$$eval('svg.world-map .country.shaded', (shapes) => shapes.map((shape) => shape.getAttribute('fill')));
          expect(fills.length).toBeGreaterThan(10);
          expect(fills).not.toContain('#bd0026');
          expect(await page.locator('svg.histogram rect[fill="#bd0026"]').count()).toBeGreaterThan(0);
          // The histogram has a counted y axis and dated x ticks (a week of hours: one per day).
          expect(await page.locator('svg.histogram text.y-tick').count()).toBeGreaterThanOrEqual(3);
          expect(await page.locator('svg.histogram text.x-label').allTextContents()).toEqual(['11-21', '11-22', '11-23', '11-24', '11-25', '11-26', '11-27']);
          expect(await page.locator('h2', { hasText: 'Agents' }).count()).toBe(1);
          const ipCells = await page.locator('h2:has-text("Top IPs") ~ div.scroll table tbody tr td:first-child').allTextContents();
          expect(ipCells.length).toBe(25);
          expect(ipCells.filter((ip) => ip.startsWith('2001:db8:') || ip.startsWith('192.168.'))).toEqual([]);
        }
        await page.close();
      }

      const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
      await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
      await page.emulateMedia({ media: 'print' });
      // On paper no table is cut at its scroll box: every box shows all its rows.
      const clipped = await page.$$eval('.scroll', (boxes) => boxes.filter((box) => box.scrollHeight > box.clientHeight + 1).length);
      expect(clipped).toBe(0);
      const pdf = await page.pdf({ path: path.join(OUTPUT_DIR, 'report.pdf'), format: 'A4', printBackground: true });
      expect(pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length ?? 0).toBeGreaterThan(1);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
