// Raw Socket.IO over a raw Engine.IO WebSocket (`ws`), below the clients:
// for the wire-level cases of test/sio-raw-compare.test.js and the heartbeat
// checks of test/sio-disconnect.test.js.
import WebSocket from "ws";
import { withTimeout, sleep } from "./time.js";

export const SIO_PATH = "/socket.io/";

/**
 * Opens `ws://.../socket.io/?EIO=4&transport=websocket` (plus `query`) and
 * waits for the Engine.IO open packet. Resolves with
 * {ws, open (the parsed open packet), frames, pings, next(ms), send(d),
 * closed, isClosed()}:
 * - `frames` collects every frame after the open packet except pings
 *   (strings for text, Buffers for binary);
 * - pings ("2") are answered with "3" unless `pong` is false; `pings`
 *   counts them; with EIO=3 in `query` the client pings every 200 ms
 *   instead (unless `pong` is false) and the pongs are left out;
 * - `next(ms)` resolves with the next not yet consumed frame of `frames`;
 * - `closed` resolves with {code, reason, at} when the connection ends.
 */
export function openSioWs(server, { query = {}, pong = true, timeoutMs = 5000 } = {}) {
  const qs = new URLSearchParams({ EIO: "4", transport: "websocket", ...query });
  const eio3 = qs.get("EIO") === "3";
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${SIO_PATH}?${qs}`, { perMessageDeflate: false });
  const frames = [];
  const state = { open: null, pings: 0, pongs: 0, consumed: 0, wake: null, isClosed: false };
  let gotOpen;
  const opened = new Promise((resolve) => (gotOpen = resolve));
  ws.on("message", (data, isBinary) => {
    if (!isBinary) {
      const text = data.toString("utf8");
      if (state.open === null && text.startsWith("0{")) {
        state.open = JSON.parse(text.slice(1));
        gotOpen();
        return;
      }
      if (eio3 && text === "3") {
        state.pongs++;
        return;
      }
      if (!eio3 && text === "2") {
        state.pings++;
        if (pong) ws.send("3");
        return;
      }
      frames.push(text);
    } else {
      frames.push(Buffer.from(data));
    }
    state.wake?.();
  });
  // EIO=3: the client pings (every 200 ms, within the servers' 300 + 200 ms)
  const pinger = eio3 && pong ? setInterval(() => ws.readyState === WebSocket.OPEN && ws.send("2"), 200) : null;
  const closed = new Promise((resolve) => {
    ws.on("close", (code, reason) => {
      clearInterval(pinger);
      state.isClosed = true;
      state.wake?.();
      resolve({ code, reason: reason.toString(), at: Date.now() });
    });
  });
  ws.on("error", () => {}); // reported through `closed`
  const next = (ms = 5000) =>
    withTimeout(
      new Promise((resolve, reject) => {
        const check = () => {
          state.wake = null;
          if (state.consumed < frames.length) return resolve(frames[state.consumed++]);
          if (state.isClosed) return reject(new Error("websocket closed"));
          state.wake = check;
        };
        check();
      }),
      ms,
      "next socket.io frame",
    );
  const handle = {
    ws,
    frames,
    next,
    closed,
    send: (d) => ws.send(d),
    isClosed: () => state.isClosed,
    get open() {
      return state.open;
    },
    get pings() {
      return state.pings;
    },
    /** Ends the connection (no-op once closed). */
    close: () => {
      if (!state.isClosed) ws.terminate();
    },
  };
  const ready = Promise.race([
    opened.then(() => handle),
    closed.then(() => {
      throw new Error("websocket closed before the open packet");
    }),
  ]);
  return withTimeout(ready, timeoutMs, "socket.io websocket open").catch((e) => {
    ws.terminate();
    throw e;
  });
}

/** Resolves with true when `w` closes within `ms`, else false. */
export async function closesWithin(w, ms) {
  if (w.isClosed()) return true;
  let timer;
  const r = await Promise.race([
    w.closed.then(() => true),
    new Promise((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  return r;
}

/**
 * Comparable form of a frame sent by the server: binary as `<bin HEX>`,
 * session ids as `<sid>` (in CONNECT answers), ack ids of server-sent events
 * as `<id>` (Node numbers them per namespace, across sockets).
 */
export function normFrame(f) {
  if (Buffer.isBuffer(f)) return `<bin ${f.toString("hex")}>`;
  if (f.length > 300) return `<${f.length} chars: ${f.slice(0, 40)}...>`;
  let m = /^(40(?:\/[^,]*,)?)(\{.*\})$/s.exec(f);
  if (m) {
    try {
      const data = JSON.parse(m[2]);
      if (typeof data.sid === "string" && /^[\w-]{20}$/.test(data.sid)) data.sid = "<sid>";
      return m[1] + JSON.stringify(data);
    } catch {
      return f;
    }
  }
  m = /^(4(?:2|5\d+-)(?:\/[^,]*,)?)(\d+)(\[.*)$/s.exec(f);
  if (m) return `${m[1]}<id>${m[3]}`;
  return f;
}

/** A CONNECT answer: 40 (joined) or 44 (refused). */
const isConnectAnswer = (f) => typeof f === "string" && /^4[04]/.test(f);

/**
 * One raw exchange: opens a connection, sends `sends` in order (strings as
 * text frames, Buffers as binary frames, {wait: ms} a pause; after a CONNECT, waits up to 1 s
 * for its answer, as clients do), waits for `frames` frames after
 * the open packet (or the close, or 3 s), then up to `closeWithin` ms more
 * for the close. `query` is added to the WebSocket's (e.g. {EIO: "3"}).
 * Resolves with {frames (normalized, everything received),
 * closed (the close code, or false when still open)}.
 */
export async function exchange(server, sends, { frames = 0, closeWithin = 300, query } = {}) {
  const w = await openSioWs(server, { query });
  try {
    // EIO=3: the server joins "/" on its own (40, then the auth event); wait
    // for it so that it is not taken for the answer to a CONNECT sent here
    if (query?.EIO === "3") await w.next(2000).catch(() => {});
    for (const s of sends) {
      if (s?.wait !== undefined) {
        await sleep(s.wait);
        continue;
      }
      const answers = w.frames.filter(isConnectAnswer).length;
      w.send(s);
      // as a client does, wait for the answer to a CONNECT before going on:
      // Node drops a connection whose packets for a namespace arrive while
      // the namespace is still being joined
      if (typeof s === "string" && s.startsWith("40")) {
        const until = Date.now() + 1000;
        while (w.frames.filter(isConnectAnswer).length === answers && !w.isClosed() && Date.now() < until) {
          await sleep(5);
        }
      }
    }
    const deadline = Date.now() + 3000;
    while (w.frames.length < frames && !w.isClosed() && Date.now() < deadline) await sleep(10);
    const isClosed = await closesWithin(w, closeWithin);
    return {
      frames: w.frames.map(normFrame),
      closed: isClosed ? (await w.closed).code : false,
    };
  } finally {
    w.close();
  }
}

/** A new raw connection joins "/" and gets an echo: the server still serves. */
export async function stillServes(server) {
  const w = await openSioWs(server);
  try {
    w.send("40");
    await w.next(); // the CONNECT answer
    w.send('42["message","still here"]');
    const want = '42["message-back","still here"]';
    const deadline = Date.now() + 3000;
    while (!w.frames.includes(want) && !w.isClosed() && Date.now() < deadline) await sleep(10);
    return w.frames.includes(want);
  } finally {
    w.close();
  }
}
