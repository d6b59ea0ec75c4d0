// Observations for the engineio_options cases (test/options.test.js).
import assert from "node:assert/strict";
import { gunzipSync, inflateSync } from "node:zlib";
import { request, eioPath, handshake, poll, post, openWs } from "./raw.js";
import { obs } from "./compare.js";
import { bigText } from "./payloads.js";

/** Access-Control-Allow-Methods of the `cors` package (its default). */
export const METHODS = "GET,HEAD,PUT,PATCH,POST,DELETE";

/** Status, the Access-Control-* headers and Vary (as a sorted token list). */
export function corsObs(res) {
  const headers = {};
  for (const [k, v] of Object.entries(res.headers)) if (k.startsWith("access-control-")) headers[k] = v;
  if (res.headers.vary) headers.vary = res.headers.vary.split(",").map((v) => v.trim().toLowerCase()).sort();
  const o = { status: res.status, headers };
  if (res.status === 204) o.text = res.text;
  return o;
}

/** Status and Set-Cookie (null when absent), `sid` replaced by <sid>. */
export function cookieObs(res, sid) {
  const c = res.headers["set-cookie"];
  return { status: res.status, setCookie: c ? [c].flat().map((v) => v.split(sid).join("<sid>")) : null };
}

/** Shape of an open packet received over WebSocket. */
export function wsOpenShape(frame) {
  assert.match(frame, /^0\{/);
  const open = JSON.parse(frame.slice(1));
  return {
    sid: /^[\w-]{20}$/.test(open.sid) ? "<20 chars>" : open.sid,
    upgrades: open.upgrades,
    pingInterval: open.pingInterval,
    pingTimeout: open.pingTimeout,
    maxPayload: open.maxPayload,
  };
}

/**
 * POSTs a message of `size` characters, then GETs its echo with
 * `acceptEncoding`: {status, contentType, encoding (null if none), payloadOk}.
 * Starts over (3 tries) if a ping slipped into the answer: it changes its size.
 */
export async function pollEncoded(s, size, acceptEncoding) {
  for (let attempt = 0; ; attempt++) {
    const { sid } = await handshake(s);
    const msg = `4${bigText(size)}`;
    await post(s, sid, msg);
    const headers = acceptEncoding === undefined ? {} : { "accept-encoding": acceptEncoding };
    const res = await request(s, { path: eioPath({ EIO: "4", transport: "polling", sid }), headers });
    const encoding = res.headers["content-encoding"] ?? null;
    const body =
      encoding === "gzip" ? gunzipSync(res.body) : encoding === "deflate" ? inflateSync(res.body) : res.body;
    const text = body.toString("utf8");
    if (text !== msg && text.split("\x1e").includes("2") && attempt < 2) continue;
    return { status: res.status, contentType: res.contentType, encoding, payloadOk: text === msg };
  }
}

/** Next frame that is not a ping (pings are answered). */
async function nextData(w) {
  for (;;) {
    const f = await w.next();
    if (f !== "2") return f;
    w.send("3");
  }
}

/**
 * Raw ws offering permessage-deflate: the extension the 101 accepts, and
 * whether the echoes of a 500-byte and a 10 KB text arrive intact and
 * compressed (fewer bytes read than half the text).
 */
export async function deflateObs(s) {
  const w = await openWs(s, { EIO: "4", transport: "websocket" }, { perMessageDeflate: true });
  try {
    await nextData(w); // open packet
    const ext = w.headers?.["sec-websocket-extensions"];
    const measure = async (n) => {
      const text = `4${bigText(n)}`;
      const before = w.ws._socket.bytesRead;
      w.send(text);
      const back = await nextData(w);
      return { ok: back === text, compressed: w.ws._socket.bytesRead - before < n / 2 };
    };
    return {
      extension: ext ? ext.split(";")[0].trim() : null,
      small: await measure(500),
      large: await measure(10_000),
    };
  } finally {
    w.ws.close();
  }
}

/**
 * Opens a polling session, then a WebSocket with its sid (plus `extra` in
 * the query) and runs the upgrade: {refused: HTTP answer} or {probe, echo
 * (of 4sync after the upgrade packet), pollAfter (a GET on the old transport)}.
 */
export async function upgradeAttempt(s, extra = {}) {
  const { sid } = await handshake(s);
  let w;
  try {
    w = await openWs(s, { EIO: "4", transport: "websocket", sid, ...extra });
  } catch (e) {
    if (e.status) return { refused: obs(e) };
    throw e;
  }
  // a missing frame: "<closed CODE>" or "<none>" (nothing within 2 s)
  const frame = () =>
    w.next(2000).catch(async () =>
      w.ws.readyState === w.ws.CLOSED ? `<closed ${(await w.closed).code}>` : "<none>",
    );
  try {
    w.send("2probe");
    const probe = await frame();
    if (probe !== "3probe") return { probe };
    w.send("5");
    w.send("4sync");
    const echo = await frame();
    return { probe, echo, pollAfter: obs(await poll(s, sid)) };
  } finally {
    w.ws.close();
  }
}
