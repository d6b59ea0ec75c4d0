// Raw HTTP / WebSocket access to an Engine.IO server, below the clients.
import http from "node:http";
import net from "node:net";
import WebSocket from "ws";
import { withTimeout } from "./time.js";

/**
 * One HTTP request on a fresh connection. Resolves with
 * {status, headers, body (Buffer), text, json (parsed or undefined), contentType
 * (media type only, lower case)}. Rejects after `timeoutMs`.
 */
export function request(server, { method = "GET", path, headers = {}, body } = {}, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1",
      port: server.port,
      method,
      path,
      headers: { connection: "close", ...headers },
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`timeout (${timeoutMs} ms): ${method} ${path}`));
    }, timeoutMs);
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.on("response", (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      res.on("end", () => {
        clearTimeout(timer);
        resolve(describeResponse(res.statusCode, res.headers, Buffer.concat(chunks)));
      });
    });
    req.end(body);
  });
}

export function describeResponse(status, headers, body) {
  const text = body.toString("utf8");
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, headers, body, text, json, contentType: mediaType(headers["content-type"]) };
}

/** "Text/Plain; charset=UTF-8" -> "text/plain"; missing -> null. */
export function mediaType(value) {
  if (!value) return null;
  return String(value).split(";")[0].trim().toLowerCase();
}

/** Engine.IO query path (under `base`, the server's path). */
export function eioPath(query, base = "/engine.io/") {
  return `${base}?${new URLSearchParams(query)}`;
}

/** Polling handshake; resolves with {sid, open (the parsed open packet), res}. */
export async function handshake(server, { eio = "4", extra = {} } = {}) {
  const res = await request(server, { path: eioPath({ EIO: eio, transport: "polling", ...extra }) });
  if (res.status !== 200) throw new Error(`handshake: HTTP ${res.status} ${res.text}`);
  // v4: "0{...}"; v3: "<len>:0{...}"
  const m = /^(?:\d+:)?0(\{.*\})/.exec(res.text);
  if (!m) throw new Error(`handshake: unexpected body ${res.text}`);
  const open = JSON.parse(m[1]);
  return { sid: open.sid, open, res };
}

/** GET poll of session `sid`. */
export function poll(server, sid, { eio = "4", timeoutMs = 5000, extra = {} } = {}) {
  return request(server, { path: eioPath({ EIO: eio, transport: "polling", sid, ...extra }) }, timeoutMs);
}

/** POST of a payload to session `sid`. */
export function post(server, sid, body, { eio = "4", headers = {}, extra = {} } = {}) {
  return request(server, {
    method: "POST",
    path: eioPath({ EIO: eio, transport: "polling", sid, ...extra }),
    headers: { "content-type": "text/plain;charset=UTF-8", ...headers },
    body,
  });
}

/**
 * Raw WebSocket. Resolves once open with {ws, headers, messages, next(), closed}:
 * `headers` are those of the 101 answer, `messages` collects every frame
 * (strings for text, Buffers for binary),
 * `next(ms)` resolves with the next not yet consumed frame, `closed` resolves
 * with {code, reason, at (ms timestamp)} when the connection ends.
 * Rejects with {status, text, contentType} if the server answers the
 * upgrade with a plain HTTP response, or with the connection error.
 * Options: request `headers`, `perMessageDeflate` (offered by default, as `ws`
 * does), `base` (the server's path).
 */
export function openWs(server, query, { timeoutMs = 5000, headers, perMessageDeflate = true, base } = {}) {
  const url = `ws://127.0.0.1:${server.port}${eioPath(query, base)}`;
  const ws = new WebSocket(url, { headers, perMessageDeflate });
  let upgradeHeaders = null;
  ws.once("upgrade", (res) => (upgradeHeaders = res.headers));
  const messages = [];
  let consumed = 0;
  let wake = null;
  ws.on("message", (data, isBinary) => {
    messages.push(isBinary ? Buffer.from(data) : data.toString("utf8"));
    wake?.();
  });
  const closed = new Promise((resolve) => {
    ws.on("close", (code, reason) => {
      wake?.();
      resolve({ code, reason: reason.toString(), at: Date.now() });
    });
  });
  const next = (ms = 5000) =>
    withTimeout(
      new Promise((resolve, reject) => {
        const check = () => {
          wake = null;
          if (consumed < messages.length) return resolve(messages[consumed++]);
          if (ws.readyState === WebSocket.CLOSED) return reject(new Error("websocket closed"));
          wake = check;
        };
        check();
      }),
      ms,
      "next websocket frame",
    );
  const opened = new Promise((resolve, reject) => {
    ws.once("open", () =>
      resolve({ ws, headers: upgradeHeaders, messages, next, closed, send: (d) => ws.send(d) }),
    );
    ws.once("unexpected-response", (req, res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const r = describeResponse(res.statusCode, res.headers, Buffer.concat(chunks));
        req.destroy();
        reject(Object.assign(new Error(`upgrade refused: HTTP ${r.status}`), r));
      });
    });
    ws.once("error", reject);
  });
  ws.on("error", () => {}); // reported through `opened` / `closed`
  return withTimeout(opened, timeoutMs, "websocket open").catch((e) => {
    ws.terminate();
    throw e;
  });
}

/**
 * Writes `bytes` on a fresh TCP connection and gathers what comes back until
 * the server closes (a reset counts as a close: servers that refuse a request
 * early may reset). Resolves with {status (from the status line, or null), raw}.
 */
export function rawExchange(server, bytes, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(server.port, "127.0.0.1");
    const chunks = [];
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      const raw = Buffer.concat(chunks).toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
      resolve({ status: m ? Number(m[1]) : null, raw });
    };
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`timeout (${timeoutMs} ms): raw exchange`));
    }, timeoutMs);
    sock.on("data", (c) => chunks.push(c));
    sock.on("end", done);
    sock.on("close", done);
    sock.on("error", () => {}); // 'close' follows
    sock.write(bytes);
  });
}

/**
 * A raw WebSocket upgrade request for `query` with the usual headers, `headers`
 * overriding them (an undefined value drops one). Resolves with the answer's
 * status, media type, Connection, Sec-WebSocket-Protocol and body (the body
 * only for a refusal: a 101 is read up to its head).
 */
export function rawUpgrade(server, query, { method = "GET", headers = {} } = {}, timeoutMs = 5000) {
  const all = {
    Host: "127.0.0.1",
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
    ...headers,
  };
  const lines = Object.entries(all)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}\r\n`);
  const head = `${method} ${eioPath(query)} HTTP/1.1\r\n${lines.join("")}\r\n`;
  return new Promise((resolve, reject) => {
    const sock = net.connect(server.port, "127.0.0.1");
    let raw = "";
    const finish = () => {
      clearTimeout(timer);
      sock.destroy();
      const [top, ...body] = raw.split("\r\n\r\n");
      const [statusLine, ...fields] = top.split("\r\n");
      const header = (name) => {
        const line = fields.find((f) => f.toLowerCase().startsWith(`${name}:`));
        return line ? line.slice(name.length + 1).trim() : null;
      };
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
      resolve({
        status,
        contentType: mediaType(header("content-type")),
        connection: header("connection")?.toLowerCase() ?? null,
        subprotocol: header("sec-websocket-protocol"),
        text: status === 101 ? null : body.join("\r\n\r\n"),
      });
    };
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`timeout (${timeoutMs} ms): raw upgrade`));
    }, timeoutMs);
    sock.on("data", (c) => {
      raw += c.toString("latin1");
      if (raw.startsWith("HTTP/1.1 101") && raw.includes("\r\n\r\n")) finish();
    });
    sock.on("close", finish);
    sock.on("error", () => {}); // 'close' follows
    sock.write(head);
  });
}
