// What the browser tests share: Debian's Chromium, headless, with nothing
// of its own that reaches the network.
import { chromium } from 'playwright-core';

/** Launch headless /usr/bin/chromium (playwright-core downloads none). */
export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
           '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
}

/** A TAP-like checker: check(cond, what) prints ok / not ok; failed()
 * says how many failed. */
export function checker() {
  let failed = 0;
  return {
    check(cond, what) {
      console.log(`${cond ? 'ok' : 'not ok'} - ${what}`);
      if (!cond) failed++;
    },
    failed: () => failed,
  };
}
