// Driving the chat demo's page (examples/chat/public/index.html) in a real
// browser: Debian's Chromium (/usr/bin/chromium) through playwright-core. No
// browser is ever downloaded; set SIO_CHROMIUM to use another binary.
import { chromium } from "playwright-core";
import { accessSync, constants } from "node:fs";

export const CHROMIUM = process.env.SIO_CHROMIUM || "/usr/bin/chromium";

/** Bound of every wait in the page (ms). */
export const WAIT = 10_000;

// The background-networking flags matter: without them Chromium's own
// connections are refused by this machine's closed network.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Why the browser cannot run (string), or false. */
export function browserMissing() {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return false;
  } catch {
    return `no Chromium at ${CHROMIUM}`;
  }
}

/** `env`: the browser's environment (HOME holds the NSS database of the CAs it trusts). */
export function launchBrowser({ env } = {}) {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000, env });
}

/**
 * A fresh context and page on `base` + "/" with what the tests look at
 * recorded: `errors` (page errors and console errors but the favicon's 404,
 * which both servers give), `requests` / `responses` (URLs, for
 * the evidence), `websockets` (URLs of the WebSockets the page opened).
 * `close()` closes the context.
 */
export async function openChat(browser, base, { viewport = { width: 600, height: 568 } } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const rec = { context, page, errors: [], requests: [], responses: [], websockets: [] };
  page.on("pageerror", (e) => rec.errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    if (/\/favicon\.ico$/.test(m.location()?.url ?? "")) return;
    rec.errors.push(`console: ${m.text()} (${m.location()?.url ?? "?"})`);
  });
  page.on("request", (r) => rec.requests.push(`${r.method()} ${r.url()}`));
  page.on("response", (r) => rec.responses.push(`${r.status()} ${r.request().method()} ${r.url()}`));
  page.on("requestfailed", (r) => rec.errors.push(`requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
  page.on("websocket", (ws) => rec.websockets.push(ws.url()));
  rec.close = () => context.close().catch(() => {});
  rec.evidence = () =>
    [
      `errors: ${JSON.stringify(rec.errors)}`,
      `websockets: ${JSON.stringify(rec.websockets)}`,
      `last responses:\n  ${rec.responses.slice(-15).join("\n  ")}`,
    ].join("\n");
  await page.goto(`${base}/`, { timeout: WAIT });
  return rec;
}

/**
 * In the page: collects every `chat message` of `window.socket` into
 * `window.received` (and the transport it came over into
 * `window.receivedOver`), counts `disconnect` events and engine pings.
 * Safe to call again after the socket was replaced.
 */
export function collect(page) {
  return page.evaluate(() => {
    const s = window.socket;
    window.received = [];
    window.receivedOver = [];
    window.disconnects = [];
    window.pings = 0;
    s.on("chat message", (msg) => {
      window.received.push(msg);
      window.receivedOver.push(s.io.engine?.transport?.name);
    });
    s.on("disconnect", (reason) => window.disconnects.push(reason));
    s.io.on("ping", () => window.pings++);
  });
}

/** Waits until the page's socket is connected (over `transport` when given). */
export function waitConnected(page, transport) {
  return page.waitForFunction(
    (tr) => window.socket?.connected && (!tr || window.socket.io.engine?.transport?.name === tr),
    transport,
    { timeout: WAIT },
  );
}

/**
 * Replaces the page's socket: disconnects the one the page made with `io()`
 * and sets `window.socket = io(opts)` (a new Manager: the bundle the page
 * loaded, with other options), mirroring new messages into `#messages` like
 * the page does. Records whether its engine ever upgraded (`window.upgrades`).
 */
export async function replaceSocket(page, opts) {
  await page.evaluate((o) => {
    window.socket.disconnect();
    const s = io({ forceNew: true, ...o });
    window.socket = s;
    window.upgrades = [];
    s.io.engine.on("upgrade", (t) => window.upgrades.push(t.name));
    s.on("chat message", (msg) => {
      const li = document.createElement("li");
      li.textContent = msg;
      document.getElementById("messages").appendChild(li);
    });
  }, opts);
  await collect(page);
}

/** Waits until `window.received` holds `n` messages at least; returns them all. */
export async function receivedAtLeast(page, n, ms = WAIT) {
  await page.waitForFunction((k) => window.received.length >= k, n, { timeout: ms, polling: 50 });
  return page.evaluate(() => window.received);
}

/** The texts of the `#messages` items. */
export function listItems(page) {
  return page.$$eval("#messages > li", (lis) => lis.map((li) => li.textContent));
}

/** Waits until `#messages` has an item whose text is `text`. */
export function waitItem(page, text) {
  return page.waitForFunction(
    (t) => [...document.querySelectorAll("#messages > li")].some((li) => li.textContent === t),
    text,
    { timeout: WAIT, polling: 50 },
  );
}

/** Sends `text` the way a user does: types it in `#input` and clicks Send. */
export async function typeAndSend(page, text) {
  await page.locator("#input").pressSequentially(text, { timeout: WAIT });
  await page.locator("#form > button").click({ timeout: WAIT });
}

/**
 * Composes PNG screenshots side by side, each under a caption, into one PNG
 * (rendered by a page of `browser` at width x height) at `file`.
 */
export async function sideBySide(browser, shots, file, { width = 1200, height = 600 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  try {
    const page = await context.newPage();
    const cols = shots
      .map(
        ({ png, caption }) =>
          `<figure><figcaption>${caption.replace(/[<&]/g, (c) => (c === "<" ? "&lt;" : "&amp;"))}</figcaption>` +
          `<img src="data:image/png;base64,${png.toString("base64")}"></figure>`,
      )
      .join("");
    await page.setContent(
      `<!DOCTYPE html><html><head><style>
        html, body { margin: 0; height: 100%; background: #888; }
        body { display: flex; gap: 2px; }
        figure { margin: 0; flex: 1; display: flex; flex-direction: column; background: #fff; overflow: hidden; }
        figcaption { font: 13px/32px sans-serif; height: 32px; padding: 0 12px; background: #dee1e6; color: #202124;
          white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        img { display: block; }
      </style></head><body>${cols}</body></html>`,
    );
    await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0), null, {
      timeout: WAIT,
    });
    await page.screenshot({ path: file });
  } finally {
    await context.close();
  }
}
