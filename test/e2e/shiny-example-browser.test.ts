/**
 * The Shiny example (assets/examples/shiny-demo/app.R) as a signed-in user sees it: real R runs
 * the app, headless Chromium (driven with puppeteer-core) loads it, clicks its inputs and reads the
 * page. `chromium --screenshot` is not used: on this app it shows the inputs but no plot and no tables.
 *
 * ShinyProxy itself (Java, and a Docker engine to start containers) cannot run here, so the test
 * plays its part the two ways ShinyProxy tells an app who is signed in (openanalytics/containerproxy,
 * RuntimeValueService: user id, and the groups upper-cased and joined with ","):
 * - a container per user (the Docker backend): one R process per user with SHINYPROXY_USERNAME and
 *   SHINYPROXY_USERGROUPS in its environment;
 * - pre-started containers (`seats`): one R process for everyone behind real nginx that sets
 *   X-SP-UserId and X-SP-UserGroups on every request, websocket included, one server per identity.
 * In front of that, the kit's own rendered nginx snippet (TLS, http2, websocket upgrade) carries a
 * session end to end, and strips X-SP-* headers a browser forges.
 * Settings, secrets and storage arrive as ShinyProxy would pass them: CURRENCY (apps[].env, in
 * container-env), NOTES_SIGNING_KEY (apps[].secrets, in container-env-file) and a directory named by
 * SHINYKIT_STORAGE_DIR (apps[].storage, a mounted volume); here they are the R process's environment.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderConfigs } from '../../lib/render/index.js';
import { prepareNginx, removePrefix, startNginx, type NginxPrefix, type RunningNginx } from '../support/nginx.js';
import { freePort } from '../support/ports.js';
import { SSLIP_HOST, fixtureConfig, fixtureImages, fixtureOutputs } from '../support/render-fixtures.js';
import {
  launchChromium,
  requireShinyTools,
  startHeaderProxy,
  startShinyApp,
  type HeaderProxy,
  type ShinyApp,
} from '../support/shiny-browser.js';

// Distinctive, so a leak anywhere (page, websocket, R's output) is unmistakable.
const SECRET = 'sk-notes-7f3a9c1e5b2d4086';
const OTHER_SECRET = 'sk-notes-rotated-000000000';
const ALL_ACCOUNTS = ['Acme Corp', 'Globex', 'Initech', 'Umbrella', 'Hooli'];

// The functions passed to waitForFunction/$eval run inside Chromium. The project compiles without
// the DOM library, so the little of the page's API they use is declared here.
interface PageElement {
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
}
declare const document: { querySelector(selector: string): PageElement | null };
const valueOf = (e: unknown) => (e as { value: string }).value;

let browser: Browser | undefined;
const apps: ShinyApp[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  requireShinyTools();
  browser = await launchChromium([SSLIP_HOST]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(apps.map((a) => a.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function app(env: Record<string, string>): Promise<ShinyApp> {
  const a = await startShinyApp(env);
  apps.push(a);
  return a;
}

function storageDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'shinykit-storage-'));
  dirs.push(d);
  return d;
}

interface Visit {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Text of every websocket message the server sent this page. */
  readonly received: string[];
  close(): Promise<void>;
}

/** A fresh session (own cookies, own websocket) that has received the first round of outputs. */
async function visit(url: string, headers: Record<string, string> = {}): Promise<Visit> {
  const context = await browser!.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  // Sent on every request, the websocket handshake included (Shiny reads identity from that one).
  await page.setExtraHTTPHeaders(headers);
  const received: string[] = [];
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketFrameReceived', (e) => received.push(e.response.payloadData));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(
    () =>
      document.querySelector('#histogram img')?.getAttribute('src')?.startsWith('data:image/png') &&
      document.querySelector('#summary table') &&
      (document.querySelector('#who')?.textContent ?? '') !== '' &&
      (document.querySelector('#note_status')?.textContent ?? '') !== '',
    { timeout: 30_000 },
  );
  return { page, context, received, close: () => context.close() };
}

const text = (page: Page, sel: string) => page.$eval(sel, (e) => (e.textContent ?? '').trim());
const plotSrc = (page: Page) => page.$eval('#histogram img', (e) => e.getAttribute('src') ?? '');
const summary = (page: Page) => page.$eval('#summary table', (e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim());
const accountNames = (page: Page) =>
  page.$$eval('#accounts table tbody tr', (rows) => rows.map((r) => (r.querySelector('td')?.textContent ?? '').trim()));
const accountHeader = (page: Page) => page.$$eval('#accounts table thead th', (ths) => ths.map((t) => (t.textContent ?? '').trim()));

/** Waits until the plot's image differs from `before`, and returns the new one. */
async function nextPlot(page: Page, before: string): Promise<string> {
  await page.waitForFunction((prev) => {
    const src = document.querySelector('#histogram img')?.getAttribute('src') ?? '';
    return src.startsWith('data:image/png') && src !== prev;
  }, { timeout: 15_000 }, before);
  return plotSrc(page);
}

async function waitForText(page: Page, sel: string, pattern: RegExp): Promise<string> {
  await page.waitForFunction(
    (s, src, flags) => new RegExp(src, flags).test(document.querySelector(s)?.textContent ?? ''),
    { timeout: 15_000 },
    sel,
    pattern.source,
    pattern.flags,
  );
  return text(page, sel);
}

/** Types a note the way a user does and presses the button. */
async function saveNote(page: Page, note: string): Promise<string> {
  await page.click('#note');
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  await page.type('#note', note);
  await page.click('#save_note');
  return waitForText(page, '#note_status', /\(signed\)\.$/);
}

const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

describe('shiny-demo in Chromium, one R process per user (SHINYPROXY_USERNAME / SHINYPROXY_USERGROUPS)', () => {
  let ana: ShinyApp;
  let anaStorage: string;
  const anaEnv = () => ({
    SHINYPROXY_USERNAME: 'ana@example.org',
    SHINYPROXY_USERGROUPS: 'SHINY_USERS',
    CURRENCY: 'EUR',
    NOTES_SIGNING_KEY: SECRET,
    SHINYKIT_STORAGE_DIR: anaStorage,
  });
  const note = 'Call Globex about the renewal — before Friday, café';

  beforeAll(async () => {
    anaStorage = storageDir();
    ana = await app(anaEnv());
  });

  it('redraws the plot when the user changes the distribution, the bins, the density overlay and the seed', async () => {
    const v = await visit(ana.url);
    try {
      const { page } = v;
      const first = await plotSrc(page);
      const firstSummary = await summary(page);

      // Distribution: a selectize box, opened and chosen with the mouse.
      await page.click('#dist + .selectize-control .selectize-input');
      await page.click('.selectize-dropdown-content .option[data-value="exp"]');
      const exp = await nextPlot(page, first);
      await waitForText(page, '#summary table', /./);
      await page.waitForFunction((prev) => (document.querySelector('#summary table')?.textContent ?? '').replace(/\s+/g, ' ').trim() !== prev, {}, firstSummary);
      const expSummary = await summary(page);
      // An exponential sample has no negative values; a normal one of 500 does.
      expect(firstSummary).toMatch(/min -\d/);
      expect(expSummary).toMatch(/min 0\.\d/);

      // Bins: a click near the right end of the slider's track moves the handle there.
      const track = await page.$('.form-group:has(#bins) .irs-line');
      const box = (await track!.boundingBox())!;
      await page.mouse.click(box.x + box.width * 0.9, box.y + box.height / 2);
      const manyBins = await nextPlot(page, exp);
      expect(Number(await page.$eval('#bins', valueOf))).toBeGreaterThan(80);
      // Bins only change the drawing, not the sample.
      expect(await summary(page)).toBe(expSummary);

      await page.click('#density');
      const noDensity = await nextPlot(page, manyBins);

      await page.click('#seed', { count: 3 });
      await page.keyboard.type('7');
      await page.keyboard.press('Tab');
      const newSeed = await nextPlot(page, noDensity);
      expect(new Set([first, exp, manyBins, noDensity, newSeed]).size).toBe(5);
    } finally {
      await v.close();
    }
  });

  it('shows ana exactly her own accounts, with revenue in the CURRENCY setting', async () => {
    const v = await visit(ana.url);
    try {
      expect(await text(v.page, '#who')).toBe('Signed in as ana@example.org');
      expect(await accountNames(v.page)).toEqual(['Acme Corp', 'Globex']);
      expect(await accountHeader(v.page)).toEqual(['account', 'region', 'owner', 'revenue (EUR)']);
    } finally {
      await v.close();
    }
  });

  it('saves a note signed with the secret, and the secret never reaches the page, the websocket or R\'s output', async () => {
    const v = await visit(ana.url);
    try {
      expect(await text(v.page, '#note_status')).toBe('No saved note yet.');
      expect(await saveNote(v.page, note)).toMatch(/^Note saved \d{4}-\d\d-\d\d .* \(signed\)\.$/);

      // One file for ana under the storage directory, signed with HMAC-SHA256(secret, user \n note).
      const file = join(anaStorage, 'notes', `${hex('ana@example.org')}.json`);
      const record = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      expect(record.user).toBe('ana@example.org');
      expect(record.note).toBe(note);
      expect(record.signature).toBe(createHmac('sha256', SECRET).update(`ana@example.org\n${note}`).digest('hex'));
      expect(statSync(join(anaStorage, 'notes')).mode & 0o777).toBe(0o700);
      expect(readFileSync(file, 'utf8')).not.toContain(SECRET);

      expect(v.received.length).toBeGreaterThan(0);
      expect(v.received.join('\n')).not.toContain(SECRET);
      expect(await v.page.content()).not.toContain(SECRET);
      expect(ana.output()).not.toContain(SECRET);
    } finally {
      await v.close();
    }
  });

  it('gives the saved note back in a new session, signature verified', async () => {
    const v = await visit(ana.url);
    try {
      await waitForText(v.page, '#note_status', /loaded/);
      expect(await text(v.page, '#note_status')).toMatch(/^Note saved .* loaded \(signature verified\)\.$/);
      expect(await v.page.$eval('#note', valueOf)).toBe(note);
    } finally {
      await v.close();
    }
  });

  it('keeps the note when R restarts on the same storage directory (a new container)', async () => {
    await ana.stop();
    const again = await app(anaEnv());
    const v = await visit(again.url);
    try {
      await waitForText(v.page, '#note_status', /loaded/);
      expect(await v.page.$eval('#note', valueOf)).toBe(note);
      expect(await text(v.page, '#note_status')).toMatch(/\(signature verified\)\.$/);
    } finally {
      await v.close();
      await again.stop();
    }
  });

  it('refuses the saved note when the signing key is different: the secret is what vouches for it', async () => {
    const rotated = await app({ ...anaEnv(), NOTES_SIGNING_KEY: OTHER_SECRET });
    const v = await visit(rotated.url);
    try {
      expect(await text(v.page, '#note_status')).toMatch(/^A saved note was found but its signature does not match/);
      expect(await v.page.$eval('#note', valueOf)).toBe('');
    } finally {
      await v.close();
      await rotated.stop();
    }
  });

  it('shows an admin every account, revenue in USD when CURRENCY is unset, and no notes without the secret', async () => {
    const admin = await app({
      SHINYPROXY_USERNAME: 'cy@example.org',
      SHINYPROXY_USERGROUPS: 'ADMIN_USERS,SHINY_USERS',
      SHINYKIT_STORAGE_DIR: storageDir(),
    });
    const v = await visit(admin.url);
    try {
      expect(await text(v.page, '#who')).toBe('Signed in as cy@example.org (admin: all accounts)');
      expect(await accountNames(v.page)).toEqual(ALL_ACCOUNTS);
      expect((await accountHeader(v.page)).at(-1)).toBe('revenue (USD)');
      expect(await text(v.page, '#note_status')).toBe('Notes are off: the NOTES_SIGNING_KEY secret is not set.');
    } finally {
      await v.close();
      await admin.stop();
    }
  });
});

describe('shiny-demo in Chromium, one shared R process behind nginx setting X-SP-UserId / X-SP-UserGroups', () => {
  let shared: ShinyApp;
  let proxy: HeaderProxy;
  let storage: string;
  let bo: string;
  let ana: string;

  beforeAll(async () => {
    storage = storageDir();
    // No SHINYPROXY_USERNAME: a pre-started container serves whoever ShinyProxy routes to it.
    shared = await app({ CURRENCY: 'EUR', NOTES_SIGNING_KEY: SECRET, SHINYKIT_STORAGE_DIR: storage });
    proxy = await startHeaderProxy(shared.port, [
      { userId: 'bo@example.org', userGroups: 'SHINY_USERS' },
      { userId: 'ana@example.org', userGroups: 'SHINY_USERS' },
    ]);
    [bo, ana] = proxy.urls as [string, string];
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  it('shows each user exactly their own accounts from the same process', async () => {
    const [b, a] = await Promise.all([visit(bo), visit(ana)]);
    try {
      expect(await text(b.page, '#who')).toBe('Signed in as bo@example.org');
      expect(await accountNames(b.page)).toEqual(['Initech', 'Umbrella']);
      expect(await text(a.page, '#who')).toBe('Signed in as ana@example.org');
      expect(await accountNames(a.page)).toEqual(['Acme Corp', 'Globex']);
    } finally {
      await Promise.all([b.close(), a.close()]);
    }
  });

  it('keeps each user\'s note to themselves in storage shared by every user of the app', async () => {
    const b = await visit(bo);
    try {
      await saveNote(b.page, 'Umbrella wants a quote');
    } finally {
      await b.close();
    }
    const [a, b2] = await Promise.all([visit(ana), visit(bo)]);
    try {
      expect(await text(a.page, '#note_status')).toBe('No saved note yet.');
      expect(await a.page.$eval('#note', valueOf)).toBe('');
      await waitForText(b2.page, '#note_status', /loaded/);
      expect(await b2.page.$eval('#note', valueOf)).toBe('Umbrella wants a quote');
      expect(readdirSync(join(storage, 'notes'))).toEqual([`${hex('bo@example.org')}.json`]);
      expect(await a.page.content()).not.toContain('Umbrella wants a quote');
    } finally {
      await Promise.all([a.close(), b2.close()]);
    }
  });

  it('shows no accounts and turns notes off for a request without the headers (deny by default)', async () => {
    const v = await visit(shared.url);
    try {
      expect(await text(v.page, '#who')).toBe('Signed in as an unknown user');
      expect(await accountNames(v.page)).toEqual([]);
      expect(await text(v.page, '#note_status')).toBe('Notes are off: nobody is signed in.');
    } finally {
      await v.close();
    }
  });

  describe('and the kit\'s own nginx snippet in front (TLS, http2, websocket upgrade)', () => {
    const cfg = fixtureConfig();
    const snippet = renderConfigs({ config: cfg, outputs: fixtureOutputs(cfg), images: fixtureImages(cfg), source: 'test' }).nginx;
    const nginxes: RunningNginx[] = [];
    const prefixes: NginxPrefix[] = [];

    /** The rendered snippet in real nginx on loopback ports, proxying to `backend` where ShinyProxy would be. */
    async function kitNginx(backend: number): Promise<string> {
      const ports = { http: await freePort(), https: await freePort(), backend };
      const p = prepareNginx(snippet, SSLIP_HOST, ports);
      prefixes.push(p);
      nginxes.push(await startNginx(p, ports));
      return `https://${SSLIP_HOST}:${ports.https}/`;
    }

    afterAll(async () => {
      await Promise.all(nginxes.map((n) => n.stop()));
      prefixes.forEach(removePrefix);
    });

    it('carries a session end to end over https: bo sees his rows and the plot redraws when he changes an input', async () => {
      // In front of the stand-in's server for bo, where ShinyProxy would be.
      const url = await kitNginx(Number(new URL(bo).port));
      const v = await visit(url);
      try {
        expect(await text(v.page, '#who')).toBe('Signed in as bo@example.org');
        expect(await accountNames(v.page)).toEqual(['Initech', 'Umbrella']);
        const before = await plotSrc(v.page);
        await v.page.click('#density');
        await nextPlot(v.page, before);
      } finally {
        await v.close();
      }
    });

    it('drops X-SP-* headers a browser forges, so an app that trusts them sees nobody', async () => {
      // Straight to the app (no ShinyProxy to set the real ones): only the kit's snippet stands between.
      const url = await kitNginx(shared.port);
      const forged = { 'X-SP-UserId': 'cy@example.org', 'X-SP-UserGroups': 'ADMIN_USERS' };
      const v = await visit(url, forged);
      try {
        expect(await text(v.page, '#who')).toBe('Signed in as an unknown user');
        expect(await accountNames(v.page)).toEqual([]);
      } finally {
        await v.close();
      }
      // The same forged headers sent to the app directly do make it an admin: the snippet is what stops them.
      const direct = await visit(shared.url, forged);
      try {
        expect(await text(direct.page, '#who')).toBe('Signed in as cy@example.org (admin: all accounts)');
      } finally {
        await direct.close();
      }
    });
  });
});
