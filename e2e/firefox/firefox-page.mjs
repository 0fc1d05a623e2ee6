// One Parley meeting page in Debian's Firefox ESR, driven over WebDriver BiDi by puppeteer-core, for the Java
// end-to-end tests (FirefoxPage.java starts this script and talks to it line by line).
//
//   node firefox-page.mjs <page url>
//
// stdout: one JSON object per line: {"ready":true} once the page is loaded, then one answer per request.
// stdin: one request per line, {"id": n, "function": "async () => ..."}: the function runs in the page and its
//        result comes back as {"id": n, "result": <JSON>} or {"id": n, "error": "..."}. EOF or {"quit":true}
//        closes Firefox. The page's console and errors go to stderr.
import puppeteer from 'puppeteer-core';
import { createInterface } from 'node:readline';

const executablePath = process.env.PARLEY_FIREFOX || '/usr/bin/firefox-esr';
const [url] = process.argv.slice(2);
if (!url) {
  process.stderr.write('usage: node firefox-page.mjs <page url>\n');
  process.exit(2);
}

// Without these Firefox gathers no ICE candidate on a loopback-only machine, asks before using the (fake)
// camera and microphone, and would contact servers on the internet.
const prefs = {
  'permissions.default.camera': 1,
  'permissions.default.microphone': 1,
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.default_iceservers': '[]',
  'media.autoplay.default': 0,
  'network.manage-offline-status': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'app.update.enabled': false,
};

const send = (message) => process.stdout.write(JSON.stringify(message) + '\n');
const log = (line) => process.stderr.write(line + '\n');

const browser = await puppeteer.launch({
  browser: 'firefox',
  executablePath,
  headless: true,
  extraPrefsFirefox: prefs,
  args: ['--width=1280', '--height=720'],
});
let closing = false;
const close = async (code) => {
  if (closing) return;
  closing = true;
  await browser.close().catch(() => {});
  process.exit(code);
};
process.on('SIGTERM', () => close(0));

try {
  const page = await browser.newPage();
  page.on('console', (message) => log(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => log(`pageerror: ${error}`));
  await page.goto(url, { waitUntil: 'load' });
  send({ ready: true, userAgent: await browser.userAgent() });

  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let request;
    try {
      request = JSON.parse(line);
    } catch {
      send({ error: `not JSON: ${line}` });
      continue;
    }
    if (request.quit) break;
    try {
      // The function is written by the test; it arrives as text and runs in the page.
      const result = await page.evaluate(`(${request.function})()`);
      send({ id: request.id, result: result === undefined ? null : result });
    } catch (error) {
      send({ id: request.id, error: String(error?.message ?? error) });
    }
  }
  await close(0);
} catch (error) {
  log(`firefox-page: ${error?.stack ?? error}`);
  await close(1);
}
