// Differential testing: each case runs against the Node twin (the reference)
// and, when built, against the C++ server; the observations must be equal.
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { NODE_TARGET, CPP_TARGET, startServer } from "./server.js";
import { skipReason } from "./fixture.js";
import { openWs } from "./raw.js";

/**
 * What a response means for the comparison: status, media type, and the
 * body, parsed when it is application/json, else as text.
 */
export function obs(res) {
  const o = { status: res.status, contentType: res.contentType };
  if (res.contentType === "application/json" && res.json !== undefined) o.json = res.json;
  else o.text = res.text;
  return o;
}

/** JSON error body of engine.io: {code, message} with HTTP 400. */
export function eioError(code) {
  const messages = [
    "Transport unknown",
    "Session ID unknown",
    "Bad handshake method",
    "Bad request",
    "Forbidden",
    "Unsupported protocol version",
  ];
  return { status: 400, contentType: "application/json", json: { code, message: messages[code] } };
}

/**
 * Shape of an open packet: body `0{...}` (v4) or `<len>:0{...}` (v3, len in
 * UTF-16 units), inside `___eio[j](...)` for JSONP.
 */
export function handshakeShape(res) {
  let body = res.text;
  let jsonp = null;
  const j = /^___eio\[(\d*)\]\((.*)\);$/s.exec(body);
  if (j) {
    jsonp = j[1];
    body = JSON.parse(j[2]);
  }
  const m = /^(?:(\d+):)?0(\{.*\})$/s.exec(body);
  if (!m) return { status: res.status, contentType: res.contentType, body };
  const open = JSON.parse(m[2]);
  const shape = {
    status: res.status,
    contentType: res.contentType,
    jsonp,
    lengthPrefixOk: m[1] === undefined ? null : Number(m[1]) === 1 + m[2].length,
    sid: /^[\w-]{20}$/.test(open.sid) ? "<20 chars>" : open.sid,
    upgrades: open.upgrades,
    pingInterval: open.pingInterval,
    pingTimeout: open.pingTimeout,
    maxPayload: open.maxPayload,
  };
  return shape;
}

/**
 * Outcome of a WebSocket connection attempt that should not give a session:
 * "refused" (HTTP answer), or "closed" (upgraded, then closed before any
 * Engine.IO packet). Both count as `{session: false}`; anything else is
 * reported as is.
 */
export async function wsRejected(server, query) {
  let w;
  try {
    w = await openWs(server, query);
  } catch (e) {
    if (e.status) return { session: false };
    throw e;
  }
  const { code } = await w.closed;
  if (w.messages.length === 0) return { session: false };
  return { session: true, code, messages: w.messages.map(String) };
}

/**
 * One test per case. A case: {name, eio3?: true, run(server) -> observation,
 * expect?: observation (what Node's engine.io does), timeout?}.
 * Options: `args` for every server of this suite, `node` (the reference
 * target) and `cpps` (the targets compared with it); engineio_echo's node
 * and cpp by default.
 */
export function compareCases(title, cases, { args = [], node = NODE_TARGET, cpps = [CPP_TARGET] } = {}) {
  const started = new Map();
  const server = (target, eio3) => {
    const key = `${target.name}${eio3 ? " --eio3" : ""}`;
    if (!started.has(key)) started.set(key, startServer(target, eio3 ? [...args, "--eio3"] : args));
    return started.get(key);
  };

  describe(title, () => {
    after(async () => {
      const all = await Promise.allSettled(started.values());
      await Promise.all(all.filter((r) => r.status === "fulfilled").map((r) => r.value.stop()));
    });

    for (const c of cases) {
      test(c.name, { timeout: c.timeout ?? 15_000 }, async (t) => {
        const ref = await c.run(await server(node, c.eio3));
        if (c.expect !== undefined) assert.deepEqual(ref, c.expect, "node reference changed");
        let failure = null; // the first difference; later ones as diagnostics
        for (const cpp of cpps) {
          const skip = skipReason(cpp);
          if (skip) {
            t.diagnostic(`${cpp.name} not compared: ${skip}`);
            continue;
          }
          const got = await c.run(await server(cpp, c.eio3));
          // `cppExpect` names a deliberate difference from Node (documented in the case).
          const want = c.cppExpect ?? ref;
          try {
            assert.deepEqual(got, want, `${cpp.name} differs from the ${c.cppExpect ? "documented deviation" : "node twin"}`);
          } catch (e) {
            if (failure) t.diagnostic(`${cpp.name} differs too: ${JSON.stringify(got)}`);
            failure ??= e;
          }
        }
        if (failure) throw failure;
      });
    }
  });
}
