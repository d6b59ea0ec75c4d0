// Promise helpers around the official engine.io clients (v4 = 6.x, v3 = 3.5.x).
import { Socket as SocketV4 } from "engine.io-client";
import SocketV3 from "engine.io-client-v3";
import { withTimeout, sleep } from "./time.js";

export { withTimeout, sleep };

function open(socket, ms) {
  return withTimeout(
    new Promise((resolve, reject) => {
      socket.once("open", () => resolve(socket));
      socket.once("error", (e) => reject(e instanceof Error ? e : new Error(String(e))));
    }),
    ms,
    "client open",
  );
}

/**
 * Connects an engine.io-client 6.x socket; resolves once open.
 * Registers socket.close() on the test's cleanup when `t` is given.
 */
export function connectV4(t, server, opts = {}, ms = 5000) {
  const socket = new SocketV4(`http://127.0.0.1:${server.port}`, opts);
  t?.after(() => socket.close());
  return open(socket, ms);
}

/** Same for engine.io-client 3.5.x (EIO=3). */
export function connectV3(t, server, opts = {}, ms = 5000) {
  const socket = new SocketV3(`http://127.0.0.1:${server.port}`, opts);
  t?.after(() => socket.close());
  return open(socket, ms);
}

/** Resolves with the next `n` messages of `socket`, in arrival order. */
export function nextMessages(socket, n, ms = 5000) {
  const got = [];
  let onMessage;
  const p = new Promise((resolve) => {
    onMessage = (m) => {
      got.push(m);
      if (got.length === n) resolve(got);
    };
    socket.on("message", onMessage);
  });
  return withTimeout(p, ms, `${n} messages (got ${got.length})`).finally(() =>
    socket.off("message", onMessage),
  );
}

/** Sends `data` and resolves with the next message (the echo). */
export async function echo(socket, data, ms = 5000) {
  const reply = nextMessages(socket, 1, ms);
  socket.send(data);
  return (await reply)[0];
}

/** Resolves with [reason, description] when `socket` closes. */
export function closed(socket, ms = 5000) {
  return withTimeout(
    new Promise((resolve) => socket.once("close", (reason, desc) => resolve([reason, desc]))),
    ms,
    "client close",
  );
}

/** Waits for the 'upgrade' event unless the transport already is websocket. */
export function upgraded(socket, ms = 5000) {
  if (socket.transport.name === "websocket") return Promise.resolve();
  return withTimeout(
    new Promise((resolve) => socket.once("upgrade", () => resolve())),
    ms,
    "upgrade to websocket",
  );
}

/** Bytes of a received binary message (Buffer, ArrayBuffer or a view). */
export function bytesOf(data) {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new Error(`not binary: ${typeof data} ${data?.constructor?.name}`);
}
