// Browser test of the HTML evidence report: renders the demo case's report
// in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-
// core) and checks what a reader sees: one summary row per item with the
// expected verdict, highlighted passages naming their sources, the events on
// the SVG timeline. Saves a screenshot under the build folder.
//
//   SPOOR=... SPOOR_SOURCE_ROOT=... SCREENSHOT_DIR=... node report.mjs
import { checker, launch } from './launch.mjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.env.SPOOR_SOURCE_ROOT;
const dir = mkdtempSync(join(tmpdir(), 'spoor-browser-'));
const { check, failed } = checker();

execFileSync(join(root, 'examples', 'demo.sh'), [process.env.SPOOR], {
  env: { ...process.env, DEMO_DIR: join(dir, 'demo') },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const report = join(dir, 'demo', 'report.html');
const expected = JSON.parse(readFileSync(join(dir, 'demo', 'expected.json')));

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests = [];
  page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
  await page.goto('file://' + report);

  const rows = await page.$$eval('table.summary tr', (trs) => trs.slice(1).map(
    (tr) => [tr.cells[0].innerText.trim(), tr.cells[1].innerText.trim()]));
  check(rows.length === Object.keys(expected).length,
        `summary has one row per item (${rows.length})`);
  for (const [name, verdict] of Object.entries(expected)) {
    const row = rows.find(([item]) => item.endsWith('/' + name));
    check(row && row[1] === verdict, `${name} is ${verdict} (${row && row[1]})`);
  }
  const marks = await page.$$eval('pre.text mark[data-source]',
                                  (ms) => ms.map((m) => m.title));
  check(marks.length > 0, `highlighted passages exist (${marks.length})`);
  check(marks.some((t) => t.includes('dump-1 (release, 2014-12-01) legal/distribution-agreement.txt')),
        'a passage names dump-1 and its path');
  check(marks.some((t) => t.includes('dump-2 (release, 2014-12-08) hr/memo-part2.txt')),
        'a passage names dump-2 and its path');
  const colours = await page.$$eval('pre.text mark[data-source]',
    (ms) => [...new Set(ms.map((m) => getComputedStyle(m).backgroundColor))]);
  check(colours.length >= 2, `sources have distinct colours (${colours.length})`);
  const labels = await page.$$eval('svg.timeline g.lane0 text', (ts) => ts.map((t) => t.textContent));
  check(labels.includes('breach-discovered'), 'timeline shows the breach event');
  const releases = await page.$$eval('svg.timeline g.lane1 text', (ts) => ts.map((t) => t.textContent));
  check(releases.some((t) => t.startsWith('dump-1')) && releases.some((t) => t.startsWith('dump-2')),
        'timeline shows both release dates');
  const itemDates = await page.$$eval('svg.timeline g.lane3 text', (ts) => ts.length);
  check(itemDates >= 1, 'timeline shows item dates');
  const diffs = await page.$$eval('table.sbs mark.d', (ms) => ms.length);
  check(diffs > 0, `side-by-side marks differences (${diffs})`);
  const scripts = await page.$$eval('script', (s) => s.length);
  check(scripts === 0, 'the report has no script');
  check(requests.length === 0, `nothing was loaded over a network (${requests})`);
  const shot = join(process.env.SCREENSHOT_DIR || dir, 'demo-report.png');
  await page.screenshot({ path: shot, fullPage: false });
  console.log(`# screenshot: ${shot}`);
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`1..${failed() ? 'failed' : 'ok'}`);
process.exit(failed() ? 1 : 0);
