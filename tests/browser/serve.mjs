// Browser test of spoor serve: the demo case (plus a hostile HTML file)
// served on the loopback, read in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) as a reviewer would: log in
// through the printed URL, paste a fragment and see its verdict and
// highlighted passages, follow a passage to its source's page, search a
// word. Checks that no script of a document runs and that no request leaves
// the server. Saves screenshots under the build folder.
//
//   SPOOR=... SPOOR_SOURCE_ROOT=... SCREENSHOT_DIR=... node serve.mjs
import { checker, launch } from './launch.mjs';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = process.env.SPOOR_SOURCE_ROOT;
const spoor = process.env.SPOOR;
const dir = mkdtempSync(join(tmpdir(), 'spoor-serve-'));
const shots = process.env.SCREENSHOT_DIR || dir;
const { check, failed } = checker();

// the demo case, and a document that tries to run script when shown
execFileSync(join(root, 'examples', 'demo.sh'), [spoor], {
  env: { ...process.env, DEMO_DIR: join(dir, 'demo') },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const index = join(dir, 'demo', 'spoor-index');
mkdirSync(join(dir, 'hostile'));
const hostile = '<html><head><script>window.pwned = 1; fetch("http://203.0.113.9/x")</script>' +
  '</head><body onload="window.pwned = 2"><h1>Quarterly notes</h1>' +
  '<p>The vendor margin review for the festival slate is attached below.</p>' +
  '<img src="http://203.0.113.9/pixel.png" onerror="window.pwned = 3">' +
  '<iframe src="http://203.0.113.9/"></iframe>' +
  '<p>&lt;script&gt;window.pwned = 4&lt;/script&gt; is text here.</p></body></html>';
writeFileSync(join(dir, 'hostile', 'notes.html'), hostile);
execFileSync(spoor, ['-i', index, 'add', '-c', 'hostile', '-k', 'suspect',
                     join(dir, 'hostile')], { stdio: ['ignore', 'ignore', 'inherit'] });
const fragment = readFileSync(join(dir, 'demo', 'dump-1', 'legal',
                                   'distribution-agreement.txt'), 'utf8').slice(200, 1400);

const server = spawn(spoor, ['-i', index, 'serve', '--listen', '127.0.0.1:0'],
                     { stdio: ['ignore', 'pipe', 'inherit'] });
const lines = createInterface({ input: server.stdout });
const login = await new Promise((resolve, reject) => {
  lines.on('line', (l) => {
    const m = l.match(/open (http:\/\/127\.0\.0\.1:\d+\/login\?token=\S+)/);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`spoor serve exited ${code}`)));
});
const origin = new URL(login).origin;

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const away = [];
  const dialogs = [];
  page.on('request', (r) => { if (!r.url().startsWith(origin + '/')) away.push(r.url()); });
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });

  // log in through the printed URL: the case's page
  await page.goto(login);
  check(page.url() === origin + '/', `login leads to the case (${page.url()})`);
  check(!page.url().includes('token'), 'the token is gone from the address bar');
  const collections = await page.$$eval('table.collections tr td:first-child a',
                                        (as) => as.map((a) => a.textContent));
  for (const c of ['dump-1', 'dump-2', 'fileserver', 'hostile'])
    check(collections.includes(c), `the case lists ${c}`);
  const cookies = await page.context().cookies();
  check(cookies.length === 1 && cookies[0].httpOnly && cookies[0].sameSite === 'Strict',
        'one HttpOnly, SameSite=Strict cookie');
  await page.screenshot({ path: join(shots, 'serve-case.png') });

  // paste a fragment: verdict and highlighted passages
  await page.fill('textarea[name=text]', fragment);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/check"] button')]);
  const verdict = await page.$eval('table.summary tr:nth-child(2) td:nth-child(2)',
                                   (td) => td.innerText.trim());
  check(verdict === 'released', `the pasted fragment is released (${verdict})`);
  const marks = await page.$$eval('pre.text a mark[data-source]', (ms) => ms.map((m) => m.title));
  check(marks.some((t) => t.includes('dump-1 (release, 2014-12-01) legal/distribution-agreement.txt')),
        `a highlighted passage names dump-1 (${marks.length} marks)`);
  await page.screenshot({ path: join(shots, 'serve-check.png') });

  // follow the first passage to its source
  await Promise.all([page.waitForNavigation(), page.click('pre.text a mark[data-source]')]);
  check(/\/items\/[0-9a-f]{64}$/.test(page.url()), `a passage leads to an item (${page.url()})`);
  const held = await page.$eval('table.record', (t) => t.innerText);
  check(held.includes('legal/distribution-agreement.txt'), 'the source page names its path');
  await page.screenshot({ path: join(shots, 'serve-item.png'), fullPage: false });

  // search a word from the nav bar
  await page.fill('nav input[name=q]', 'festival vendor');
  await Promise.all([page.waitForNavigation(), page.click('nav button')]);
  const hits = await page.$$eval('ol.hits li', (li) => li.map((l) => l.innerText));
  check(hits.length > 0, `search finds items (${hits.length})`);
  check(hits.some((h) => h.includes('notes.html')), 'search finds the hostile document');
  const found = await page.$$eval('ol.hits mark', (ms) => ms.map((m) => m.textContent.toLowerCase()));
  check(found.includes('festival') && found.includes('vendor'), 'the words are marked');

  // the hostile document's page and its check: its markup is text, and
  // none of its script runs
  const link = await page.$eval('ol.hits li a[href*="/items/"]', (a) => a.href);
  const evil = hits.findIndex((h) => h.includes('notes.html'));
  const evilLink = await page.$$eval('ol.hits li', (li, i) => li[i].querySelector('a').href, evil);
  await page.goto(evilLink);
  check(await page.evaluate(() => window.pwned === undefined), 'no script of the document ran');
  check(await page.$$eval('script, iframe, img', (e) => e.length) === 0,
        'the page has no script, frame or image');
  check((await page.content()).includes('window.pwned = 4'), 'its text is shown as text');
  await page.goto(origin + '/');
  await page.setInputFiles('input[type=file]', join(dir, 'hostile', 'notes.html'));
  await Promise.all([page.waitForNavigation(), page.click('form[action="/check"] button')]);
  check(await page.evaluate(() => window.pwned === undefined), 'checking it runs none either');
  check(link.startsWith(origin), 'links stay on the server');
  check(dialogs.length === 0, `no dialog opened (${dialogs})`);
  check(away.length === 0, `no request left the server (${away})`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
console.log(`1..${failed() ? 'failed' : 'ok'}`);
process.exit(failed() ? 1 : 0);
