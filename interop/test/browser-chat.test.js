// The chat demo (examples/chat) in a real browser: Debian's Chromium driven by
// playwright-core loads `/` from the server, which serves the page and the
// official client bundle (/socket.io/socket.io.js); two pages (each in its own
// context) chat through the server. Per target (cpp, cpp-2, the Node twin):
//   - default mode (polling, then upgraded to WebSocket), typing in #input and
//     clicking Send, the message shows up in #messages on both pages;
//   - polling only / WebSocket only: the page's socket is replaced from the page
//     context by io({ transports: [...] }) of the bundle it loaded;
//   - Unicode (astral plane, ZWJ sequences, ...) and 100 KB messages intact, in
//     each mode;
//   - a burst of 200 messages arrives complete, in order, once, in each mode;
//   - reloading a page reconnects it (new socket id) and the chat goes on.
// And for cpp only: two idle pages (WebSocket and polling) stay connected for
// 65 s (default pingInterval 25 s, pingTimeout 20 s), then chat; that suite
// runs alongside the others, on its own server.
//
// SIO_SCREENSHOT=file.png: the default-mode case on cpp saves the two pages
// side by side after their conversation (docs/chat.png is made so).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { skipReason, useServer } from "../lib/fixture.js";
import { CHAT_TARGETS } from "../lib/server.js";
import {
  WAIT,
  browserMissing,
  launchBrowser,
  openChat,
  collect,
  waitConnected,
  replaceSocket,
  receivedAtLeast,
  listItems,
  waitItem,
  typeAndSend,
  sideBySide,
} from "../lib/browser.js";

const T = { timeout: 30_000 };
const NO_BROWSER = browserMissing();

/** The browser of this file: launched once, closed at the end. */
let browser;
before(async () => {
  if (!NO_BROWSER) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** The three ways the pages connect. */
const MODES = [
  { name: "default (polling, upgrade)", transport: "websocket", opts: null },
  { name: "polling only", transport: "polling", opts: { transports: ["polling"] } },
  { name: "websocket only", transport: "websocket", opts: { transports: ["websocket"] } },
];
const DEFAULT = MODES[0];

/** A conversation, also what the README's screenshot shows. */
const CONVERSATION = [
  ["A", "Hi! 👋 Is this the Node.js socket.io server?"],
  ["B", "Nope, it's sio-cpp: same page, same client bundle."],
  ["A", "Polling first, then upgraded to WebSocket ✔"],
  ["B", "Ça marche ! 🚀 Привет, Γειά σου"],
];

/** Unicode that must come through exactly (UTF-16 in the page, UTF-8 on the wire). */
const UNICODE = [
  "héllo wörld: ñ ç ß ø å æ œ € £ ¥ ©",
  "你好，世界 こんにちは 안녕하세요 مرحبا بالعالم שלום Привет Γειά σου",
  "astral: 𝄞 𝕳𝖊𝖑𝖑𝖔 😀 🦄 🀄 𠜎𠜱𠝹 \u{10FFFF} \u{1F600}",
  "ZWJ: 👨‍👩‍👧‍👦 👩🏽‍💻 🏳️‍🌈 🧑🏿‍🤝‍🧑🏻 👁️‍🗨️ 🐻‍❄️",
  "modifiers, flags, keycaps: 👍🏽 👋🏿 🇫🇷🇯🇵🇺🇳 1️⃣ #️⃣ ❤️",
  "combining: e\u0301 a\u0308 n\u0303 Z̤͔ͧ̑̓ä̖̭̈̇",
  'JSON-ish: quote " backslash \\ slash / {"a":[1]} newline \n CRLF \r\n tab \t',
  "controls: \u0000 \u0001 \u001e \u001f \u007f \u0085 LS\u2028 PS\u2029",
  "lone surrogates (JSON-escaped by the client): \uD800 a\uDC00b \uDBFF",
  "invisibles: BOM\uFEFF ZWSP\u200B ZWJ\u200D ZWNJ\u200C RLO\u202Eabc\u202C \uFFFD \uFFFF",
  "",
  " ",
  "4",
  "😀".repeat(1000),
];

/** ~100 KB of mixed text (1-, 2-, 3- and 4-byte UTF-8) with position markers. */
function big(n = 100 * 1024) {
  let s = "";
  for (let i = 0; s.length < n; i++) s += `[${i}] héllo 世界 😀👩🏽‍💻 `;
  return s.slice(0, n - 2) + "end"; // cut before a complete unit: no lone surrogate at the end
}
const BIG_ASCII = "0123456789abcdefghijklmnopqrstuvwxyz".repeat(3000).slice(0, 100 * 1024);

/**
 * Two chat pages on `server`, connected in `mode` (the page's own `io()` for
 * the default mode; otherwise that socket, once upgraded, is replaced by
 * io(mode.opts)), collecting messages; closed after the test.
 */
async function pair(t, server, mode = DEFAULT) {
  const pages = [];
  t.after(() => Promise.all(pages.map((p) => p.close())));
  await Promise.all(
    ["A", "B"].map(async (who, i) => {
      const p = await openChat(browser, server.base);
      p.who = who;
      pages[i] = p;
      await withEvidence(p, async () => {
        await waitConnected(p.page, "websocket"); // the page's own socket, upgraded
        if (mode.opts) {
          p.wsMark = p.websockets.length;
          p.reqMark = p.requests.length;
          await replaceSocket(p.page, mode.opts);
          await waitConnected(p.page, mode.transport);
        } else {
          await collect(p.page);
        }
      });
    }),
  );
  return pages;
}

/** Runs `fn`; on failure adds the page's errors, WebSockets and last responses to the error. */
async function withEvidence(p, fn) {
  try {
    return await fn();
  } catch (e) {
    e.message += `\n--- page ${p.who ?? "?"}:\n${p.evidence()}`;
    throw e;
  }
}

function emitAll(p, msgs) {
  return p.page.evaluate((list) => {
    for (const m of list) window.socket.emit("chat message", m);
  }, msgs);
}

/** Waits until every page received `msgs` exactly (and nothing else); returns nothing. */
async function allReceived(pages, msgs, ms = WAIT) {
  for (const p of pages) {
    await withEvidence(p, async () => {
      const got = await receivedAtLeast(p.page, msgs.length, ms);
      assert.equal(got.length, msgs.length, `page ${p.who}: message count`);
      for (let i = 0; i < msgs.length; i++) {
        if (got[i] !== msgs[i]) {
          assert.fail(
            `page ${p.who}: message ${i} differs: got ${JSON.stringify(got[i]).slice(0, 200)} ` +
              `(length ${got[i]?.length}), sent ${JSON.stringify(msgs[i]).slice(0, 200)} (length ${msgs[i].length})`,
          );
        }
      }
    });
  }
}

/** Checks the pages' socket state (checkPage), with the evidence on failure. */
async function checkPages(pages, mode) {
  for (const p of pages) await withEvidence(p, () => checkPage(p, mode));
}

/** The page's socket: connected over mode.transport (only), no disconnect, no error. */
async function checkPage(p, mode) {
  const state = await p.page.evaluate(() => ({
    connected: window.socket.connected,
    transport: window.socket.io.engine.transport.name,
    over: [...new Set(window.receivedOver)],
    upgrades: window.upgrades ?? [],
    disconnects: window.disconnects,
  }));
  const where = `page ${p.who}`;
  assert.equal(state.connected, true, `${where}: connected`);
  assert.equal(state.transport, mode.transport, `${where}: transport at the end`);
  assert.deepEqual(state.disconnects, [], `${where}: disconnect events`);
  if (mode.opts) {
    assert.deepEqual(state.upgrades, [], `${where}: the ${mode.transport}-only socket upgraded`);
    assert.ok(state.over.every((tr) => tr === mode.transport), `${where}: messages came over ${state.over}`);
    const polls = p.requests.slice(p.reqMark).filter((r) => r.includes("transport=polling"));
    const wss = p.websockets.slice(p.wsMark);
    if (mode.transport === "websocket") assert.deepEqual(polls, [], `${where}: polling requests of a websocket-only socket`);
    else assert.deepEqual(wss, [], `${where}: WebSockets opened by a polling-only socket`);
  }
  assert.deepEqual(p.errors, [], `${where}: errors`);
}

/** Per target: a server and the tests of two pages chatting through it. */
function chatSuites() {
  for (const target of CHAT_TARGETS) {
    describe(`[${target.name}]`, { skip: NO_BROWSER || skipReason(target) }, () => {
      const server = useServer(target);

      test("default mode: the page's io() upgrades to WebSocket; typed messages reach both pages", T, async (t) => {
        const pages = await pair(t, server);
        const [A, B] = pages;
        for (const p of pages) {
          assert.equal(await p.page.evaluate(() => typeof io), "function", "io() from the served bundle");
          assert.ok(
            p.responses.includes(`200 GET ${server.base}/socket.io/socket.io.js`),
            `the bundle came from the server:\n${p.responses.join("\n")}`,
          );
          assert.ok(p.responses.includes(`200 GET ${server.base}/`), "the page came from the server");
          assert.ok(p.websockets.some((u) => u.startsWith(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`)));
        }
        const ids = await Promise.all(pages.map((p) => p.page.evaluate(() => window.socket.id)));
        assert.notEqual(ids[0], ids[1], "two sockets");

        const sent = [];
        for (const [who, text] of CONVERSATION) {
          const from = who === "A" ? A : B;
          await typeAndSend(from.page, text);
          sent.push(text);
          for (const p of pages) await withEvidence(p, () => waitItem(p.page, text));
        }
        assert.equal(await A.page.inputValue("#input"), "", "the input is cleared after Send");
        for (const p of pages) assert.deepEqual(await listItems(p.page), sent, `page ${p.who}: #messages`);
        await allReceived(pages, sent);
        await checkPages(pages, DEFAULT);

        if (process.env.SIO_SCREENSHOT && target.name === "cpp") {
          const file = path.resolve(process.env.SIO_SCREENSHOT);
          const shots = [];
          for (const p of pages) {
            shots.push({
              png: await p.page.screenshot(),
              caption: `Page ${p.who} · ${server.base}/ · socket ${await p.page.evaluate(() => window.socket.id)} · websocket`,
            });
          }
          await sideBySide(browser, shots, file);
          t.diagnostic(`screenshot: ${file}`);
        }
      });

      for (const mode of MODES.slice(1)) {
        test(`${mode.name}: io({ transports: ['${mode.transport}'] }) from the page, chat both ways`, T, async (t) => {
          const pages = await pair(t, server, mode);
          const [A, B] = pages;
          const sent = [];
          for (const [from, text] of [
            [A, `A to B over ${mode.transport}`],
            [B, `B to A over ${mode.transport} ✔`],
            [A, "and again"],
          ]) {
            await emitAll(from, [text]);
            sent.push(text);
            for (const p of pages) await withEvidence(p, () => waitItem(p.page, text));
          }
          await allReceived(pages, sent);
          for (const p of pages) assert.deepEqual(await listItems(p.page), sent, `page ${p.who}: #messages`);
          await checkPages(pages, mode);
        });
      }

      for (const mode of MODES) {
        test(`${mode.name}: Unicode, emoji (astral, ZWJ) and 100 KB messages arrive intact`, T, async (t) => {
          const pages = await pair(t, server, mode);
          const [A, B] = pages;
          const fromA = [...UNICODE, big()];
          const fromB = [BIG_ASCII, "after 100 KB: 👩‍👩‍👧"];
          await emitAll(A, fromA);
          await allReceived(pages, fromA);
          await emitAll(B, fromB);
          await allReceived(pages, [...fromA, ...fromB]);
          // and the page shows them (textContent keeps every code unit)
          const shown = await listItems(B.page);
          assert.equal(shown.length, fromA.length + fromB.length);
          assert.ok(shown.every((s, i) => s === [...fromA, ...fromB][i]), "#messages text differs");
          await checkPages(pages, mode);
        });

        test(`${mode.name}: a burst of 200 messages arrives complete, in order, once`, T, async (t) => {
          const pages = await pair(t, server, mode);
          const [A] = pages;
          const burst = Array.from({ length: 200 }, (_, i) => `burst ${i} ${"·".repeat(i % 17)}`);
          await emitAll(A, burst);
          await allReceived(pages, burst, 15_000);
          await sleep(300); // nothing more (no duplicates) arrives afterwards
          for (const p of pages) {
            assert.equal(await p.page.evaluate(() => window.received.length), 200, `page ${p.who}: extra messages`);
          }
          await checkPages(pages, mode);
        });
      }

      test("reload: the page reconnects with a new socket id and the chat goes on", T, async (t) => {
        const pages = await pair(t, server);
        const [A, B] = pages;
        await typeAndSend(A.page, "before reload");
        for (const p of pages) await waitItem(p.page, "before reload");
        const oldId = await B.page.evaluate(() => window.socket.id);

        await B.page.reload({ timeout: WAIT });
        await withEvidence(B, () => waitConnected(B.page, "websocket"));
        const newId = await B.page.evaluate(() => window.socket.id);
        assert.notEqual(newId, oldId, "a new socket id after the reload");
        assert.deepEqual(await listItems(B.page), [], "a fresh page");
        await collect(B.page);

        await typeAndSend(A.page, "after reload, A to B");
        for (const p of pages) await withEvidence(p, () => waitItem(p.page, "after reload, A to B"));
        await typeAndSend(B.page, "after reload, B to A");
        for (const p of pages) await withEvidence(p, () => waitItem(p.page, "after reload, B to A"));
        assert.deepEqual(await listItems(A.page), ["before reload", "after reload, A to B", "after reload, B to A"]);
        assert.deepEqual(await listItems(B.page), ["after reload, A to B", "after reload, B to A"]);
        await sleep(200); // each message once (the old socket of B is gone)
        assert.deepEqual(await B.page.evaluate(() => window.received), ["after reload, A to B", "after reload, B to A"]);
        await checkPages(pages, DEFAULT);
      });
    });
  }
}

// Heartbeat with the server's default timings (pingInterval 25 s, pingTimeout
// 20 s): idle pages, one upgraded to WebSocket and one polling only, stay
// connected past a minute. C++ only (one thread), it takes 65 s.
const IDLE_MS = 65_000;
const HB_TARGET = CHAT_TARGETS.find((tg) => tg.name === "cpp");
function idleSuite() {
  describe(`idle pages [${HB_TARGET.name}]`, { skip: NO_BROWSER || skipReason(HB_TARGET) }, () => {
    const server = useServer(HB_TARGET);

    test(`idle for ${IDLE_MS / 1000} s: still connected, same socket, pings answered, then chat`, { timeout: 90_000 }, async (t) => {
      const pages = [];
      t.after(() => Promise.all(pages.map((p) => p.close())));
      for (const [who, mode] of [["A", DEFAULT], ["B", MODES[1]]]) {
        const p = await openChat(browser, server.base);
        p.who = who;
        p.mode = mode;
        pages.push(p);
        await waitConnected(p.page, "websocket");
        if (mode.opts) await replaceSocket(p.page, mode.opts);
        else await collect(p.page);
        await waitConnected(p.page, mode.transport);
      }
      const ids = await Promise.all(pages.map((p) => p.page.evaluate(() => [window.socket.id, window.socket.io.engine.id])));

      await sleep(IDLE_MS);

      for (const [i, p] of pages.entries()) {
        const state = await p.page.evaluate(() => ({
          connected: window.socket.connected,
          ids: [window.socket.id, window.socket.io.engine.id],
          transport: window.socket.io.engine.transport.name,
          disconnects: window.disconnects,
          pings: window.pings,
        }));
        await withEvidence(p, async () => {
          assert.equal(state.connected, true, `page ${p.who}: connected`);
          assert.deepEqual(state.disconnects, [], `page ${p.who}: disconnect events`);
          assert.deepEqual(state.ids, ids[i], `page ${p.who}: same socket and engine ids`);
          assert.equal(state.transport, p.mode.transport, `page ${p.who}: transport`);
          // pings at ~25 s and ~50 s
          assert.ok(state.pings >= 2, `page ${p.who}: ${state.pings} pings in ${IDLE_MS} ms`);
        });
      }

      const [A, B] = pages;
      const fromA = "still here after a minute (websocket)";
      const fromB = "me too (polling)";
      await emitAll(A, [fromA]);
      await allReceived(pages, [fromA]);
      await emitAll(B, [fromB]);
      await allReceived(pages, [fromA, fromB]);
      for (const p of pages) assert.deepEqual(p.errors, [], `page ${p.who}: errors`);
    });
  });
}

// The idle pages wait their minute on their own server while the other suites
// run (sequentially, among themselves).
describe("chat demo in Chromium", { concurrency: true }, () => {
  idleSuite();
  describe("two pages chatting", { concurrency: 1 }, chatSuites); // (inherited by its suites)
});
