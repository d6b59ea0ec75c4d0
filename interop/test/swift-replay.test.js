// Replays of what the iOS client socket.io-client-swift puts on the wire
// (sequences documented in interop/swift/SEQUENCES.md), against
// socketio_echo: the C++ server (cpp, cpp-2) and its Node twin (node).
//
// The wire is driven by `SwiftEngine` below, a small re-enactment of the
// Swift engine's state machine (SocketEngine / SocketEnginePollable /
// SocketEngineWebsocket): the same URLs, headers, body framing, request
// concurrency (one GET and one POST at most, each re-issued from the
// completion of the previous one), the same probe/upgrade choreography and
// the same heartbeat rules. Four modes:
//   v16 (Engine.IO 4, Socket.IO 5): default (polling, then upgrade),
//       forceWebsockets, forcePolling;
//   v15 (Engine.IO 3, Socket.IO 4 protocol as in socket.io 2.x): no EIO
//       parameter, client pings, b64=1, n: framing, "/" joined implicitly.
//
// Each case asserts what the Swift client depends on; the Node twin runs
// first and records a normalized transcript that the C++ targets must
// reproduce. Every case runs again over TLS (https and wss, the servers started
// with a certificate of the test CA, which the replayed URLSession trusts).
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import https from "node:https";
import zlib from "node:zlib";
import WebSocket from "ws";
import { testCerts } from "../lib/certs.js";
import { SIO_TARGETS, startServer } from "../lib/server.js";
import { skipReason } from "../lib/fixture.js";
import { sleep } from "../lib/time.js";

const T = { timeout: 20_000 };
const RS = "\x1e";
const SID_RE = /^[\w-]{20}$/;

// What URLSession adds to every request on its own (iOS 17 values; the
// User-Agent is the app's "<name>/<build> CFNetwork/<v> Darwin/<v>").
const URLSESSION_HEADERS = {
  Accept: "*/*",
  "Accept-Language": "en-US,en;q=0.9",
  "Accept-Encoding": "gzip, deflate, br",
  "User-Agent": "SwiftReplay/1 CFNetwork/1494.0.7 Darwin/23.4.0",
};

// ---------------------------------------------------------------------------
// Payload codecs

/** Polling payload -> packets. v4: \x1e records; v3: `<utf16 len>:<packet>`. */
function decodePayload(text, eio) {
  if (eio === 4) return text.split(RS);
  const out = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(":", i);
    if (colon < 0) throw new Error(`v3 payload without ':' at ${i}: ${JSON.stringify(text)}`);
    const lenText = text.slice(i, colon);
    const n = Number(lenText);
    if (!/^\d+$/.test(lenText) || n <= 0 || colon + 1 + n > text.length) {
      throw new Error(`v3 payload with a bad length ${JSON.stringify(lenText)}: ${JSON.stringify(text)}`);
    }
    out.push(text.slice(colon + 1, colon + 1 + n)); // JS string length = UTF-16 units, as Swift counts
    i = colon + 1 + n;
  }
  return out;
}

/** Packets -> POST body, as createRequestForPostWithPostWait builds it. */
function encodePayload(packets, eio) {
  if (eio === 4) return packets.join(RS);
  return packets.map((p) => `${p.length}:${p}`).join("");
}

/** JSON the way Foundation's JSONSerialization writes it: "/" escaped as "\/". */
const swiftJson = (v) => JSON.stringify(v).replace(/\//g, "\\/");

/**
 * A received engine message packet "4<Socket.IO packet>", parsed like
 * SocketParsable.parseString.
 */
function parseSio(str) {
  if (str[0] !== "4") throw new Error("not an engine message packet");
  let i = 1;
  const type = Number(str[i++]);
  let attachments = 0;
  if (type === 5 || type === 6) {
    const dash = str.indexOf("-", i);
    attachments = Number(str.slice(i, dash));
    i = dash + 1;
  }
  let nsp = "/";
  if (str[i] === "/") {
    const comma = str.indexOf(",", i);
    nsp = str.slice(i, comma < 0 ? str.length : comma);
    i = comma < 0 ? str.length : comma + 1;
  }
  let id = null;
  const m = /^\d+/.exec(str.slice(i));
  if (m && type !== 0 && type !== 4) {
    id = Number(m[0]);
    i += m[0].length;
  }
  const rest = str.slice(i);
  return { type, attachments, nsp, id, data: rest ? JSON.parse(rest) : undefined, raw: str };
}

/**
 * A packet string re-serialized (JSON re-encoded): two servers whose bytes
 * differ only in JSON escaping give the same text, as Swift's parser sees it.
 */
function canon(raw) {
  try {
    const p = parseSio(raw);
    const att = p.type === 5 || p.type === 6 ? `${p.attachments}-` : "";
    const ns = p.nsp === "/" ? "" : `${p.nsp},`;
    return `4${p.type}${att}${ns}${p.id ?? ""}${p.data === undefined ? "" : JSON.stringify(p.data)}`;
  } catch {
    return raw;
  }
}

/** Comparable form of a received Socket.IO packet: sids and server ack ids masked. */
function normSio(raw) {
  let m = /^(40(?:\/[^,]*,)?)(\{.*\})$/s.exec(raw);
  if (m) {
    const d = JSON.parse(m[2]);
    if (typeof d.sid === "string" && SID_RE.test(d.sid)) d.sid = "<sid>";
    return m[1] + JSON.stringify(d);
  }
  m = /^(4(?:2|5\d+-)(?:\/[^,]*,)?)(\d+)(\[.*)$/s.exec(raw);
  if (m) return `${m[1]}<id>${m[3]}`;
  return raw;
}

// ---------------------------------------------------------------------------
// HTTP through URLSession's eyes: keep-alive connections, its default
// headers, transparent gzip/deflate/br, cookies stored and replayed.

class CookieJar {
  constructor(initial = {}) {
    this.map = new Map(Object.entries(initial));
    this.received = [];
  }
  store(setCookie) {
    for (const c of [].concat(setCookie ?? [])) {
      this.received.push(c);
      const pair = c.split(";")[0];
      const eq = pair.indexOf("=");
      if (eq > 0) this.map.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  header() {
    return this.map.size ? [...this.map].map(([k, v]) => `${k}=${v}`).join("; ") : undefined;
  }
}

function decodeBody(encoding, body) {
  switch ((encoding ?? "identity").toLowerCase()) {
    case "identity":
      return body;
    case "gzip":
      return zlib.gunzipSync(body);
    case "deflate":
      return zlib.inflateSync(body);
    case "br":
      return zlib.brotliDecompressSync(body);
    default:
      throw new Error(`content-encoding URLSession cannot decode: ${encoding}`);
  }
}

// ---------------------------------------------------------------------------
// SwiftEngine: the engine of socket.io-client-swift, replayed.

class SwiftEngine {
  /**
   * @param server  {port, base, ca}: https and wss when base is https, trusting ca
   * @param o.eio   4 (v16, default) or 3 (v15)
   * @param o.forcePolling / o.forceWebsockets  the client options of the same name
   * @param o.connectParams  query parameters (.connectParams)
   * @param o.cookies  {name: value} (.cookies), sent on every request
   * @param o.holdWebSocket  a promise: the WebSocket is created only once it
   *   resolves (network latency; lets a test pin the order of a race)
   */
  constructor(server, o = {}) {
    this.port = server.port;
    this.scheme = server.base?.startsWith("https:") ? "https" : "http";
    this.web = this.scheme === "https" ? https : http;
    this.ca = server.ca;
    this.eio = o.eio ?? 4;
    this.forcePolling = !!o.forcePolling;
    this.forceWebsockets = !!o.forceWebsockets;
    this.connectParams = o.connectParams ?? {};
    this.holdWebSocket = o.holdWebSocket ?? null;
    this.jar = new CookieJar(o.cookies ?? {});
    this.agent = new this.web.Agent({ keepAlive: true, maxSockets: 6, ca: this.ca });
    this.requests = new Set();
    this.timers = new Set();

    this.polling = true;
    this.probing = false;
    this.fastUpgrade = false;
    this.connected = false;
    this.closed = false;
    this.waitingForPoll = false;
    this.waitingForPost = false;
    this.postWait = [];
    this.probeWait = [];
    this.sid = "";
    this.ws = null;
    this.wsConnected = false;

    this.seq = 0; // orders events below the millisecond
    this.log = []; // wire log: {t, kind, ...}
    this.http = []; // every HTTP exchange: {method, path, status, text, body, encoding, headers}
    this.wsIn = []; // WebSocket frames received (text or Buffer)
    this.wsOut = []; // WebSocket frames sent
    this.received = []; // every engine packet received: {via, msg}
    this.serverPings = 0;
    this.pongsReceived = 0;
    this.clientPings = 0;
    this.wsBinaryPrefixes = [];
    this.failure = null;
    this.pingTimedOut = false;
    this.maxSilence = 0;
    this.lastCommunication = null;
    this.onOpen = null; // SocketManager.engineDidOpen
    this.onMessage = null; // SocketManager.parseEngineMessage
    this.onBinary = null; // SocketManager.parseEngineBinaryData
  }

  // --- URLs (createURLs, urlPollingWithSid, urlWebSocketWithSid) ---
  query(transport, withSid) {
    let q = transport === "polling" ? "transport=polling&b64=1" : "transport=websocket";
    for (const [k, v] of Object.entries(this.connectParams)) {
      q += `&${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`;
    }
    if (this.eio === 4) q += "&EIO=4"; // v16 appends the version; v15 sends none
    if (withSid && this.sid !== "") q += `&sid=${encodeURIComponent(this.sid)}`;
    return `/socket.io/?${q}`;
  }

  note(kind, extra = {}) {
    this.log.push({ t: Date.now(), kind, ...extra });
  }

  fail(why) {
    if (!this.failure) this.failure = new Error(why);
    this.note("failure", { why });
  }

  dump(n = 40) {
    return this.log
      .slice(-n)
      .map((e) => `${e.t % 100000} ${e.kind} ${JSON.stringify({ ...e, t: undefined, kind: undefined })}`)
      .join("\n");
  }

  /** Waits for `pred()`, bounded. Throws on an engine failure. */
  async until(pred, ms = 4000, what = "condition") {
    const end = Date.now() + ms;
    for (;;) {
      if (pred()) return;
      if (this.failure) throw new Error(`${this.failure.message} (while waiting for ${what})\n${this.dump()}`);
      if (Date.now() > end) throw new Error(`timeout (${ms} ms): ${what}\n${this.dump()}`);
      await sleep(5);
    }
  }

  setTimer(fn, ms) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  // --- HTTP (doRequest) ---
  doRequest(method, path, body, callback) {
    // guard polling && !closed && !invalidated && !fastUpgrade: anything asked
    // for past this point is silently not sent
    if (!(this.polling && !this.closed && !this.fastUpgrade)) {
      this.note(`${method} not sent`, { body });
      return;
    }
    const headers = { ...URLSESSION_HEADERS };
    const cookie = this.jar.header();
    if (cookie) headers.Cookie = cookie;
    let payload;
    if (method === "POST") {
      payload = Buffer.from(body, "utf8");
      headers["Content-Type"] = "text/plain; charset=UTF-8";
      headers["Content-Length"] = String(payload.length);
    }
    const rec = { method, path, body, t0: Date.now(), s0: ++this.seq };
    this.note(method, { path, body });
    const req = this.web.request({ host: "127.0.0.1", port: this.port, method, path, headers, agent: this.agent });
    this.requests.add(req);
    const done = (res) => {
      this.requests.delete(req);
      if (this.closed) return;
      Object.assign(rec, res, { t1: Date.now(), s1: ++this.seq });
      this.http.push(rec);
      this.note(`${method} done`, { status: res.status, text: res.text, error: res.error });
      callback(rec);
    };
    req.setTimeout(60_000, () => req.destroy(new Error("URLSession timeout (60 s)")));
    req.on("error", (e) => done({ status: null, error: e.message, text: "" }));
    req.on("response", (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("error", (e) => done({ status: null, error: e.message, text: "" }));
      res.on("end", () => {
        this.jar.store(res.headers["set-cookie"]);
        let text;
        try {
          text = decodeBody(res.headers["content-encoding"], Buffer.concat(chunks)).toString("utf8");
        } catch (e) {
          return done({ status: res.statusCode, error: e.message, text: "" });
        }
        done({ status: res.statusCode, headers: res.headers, encoding: res.headers["content-encoding"] ?? null, text });
      });
    });
    req.end(payload);
  }

  // --- connect (_connect) ---
  connect() {
    this.t0 = Date.now();
    if (this.forceWebsockets) {
      this.polling = false;
      this.createWebSocketAndConnect();
      return;
    }
    this.doLongPoll(this.query("polling", false));
  }

  doLongPoll(path) {
    this.waitingForPoll = true;
    this.doRequest("GET", path, undefined, (res) => {
      if (!this.polling) return;
      if (res.status !== 200) return this.fail(`GET answered ${res.status} ${res.error ?? res.text}`);
      this.parsePollingMessage(res.text, res);
      this.waitingForPoll = false;
      if (this.fastUpgrade) this.doFastUpgrade();
      else if (!this.closed && this.polling) this.doPoll();
    });
  }

  doPoll() {
    if (!(this.polling && !this.waitingForPoll && this.connected && !this.closed)) return;
    this.doLongPoll(this.query("polling", true));
  }

  parsePollingMessage(text, res) {
    if (text.length === 0) return this.fail("empty polling response");
    let packets;
    try {
      packets = decodePayload(text, this.eio);
    } catch (e) {
      return this.fail(e.message);
    }
    res.packets = packets;
    for (const p of packets) {
      if (p === "") return this.fail(`empty record in ${JSON.stringify(text)}`);
      this.parseEngineMessage(p, "polling");
    }
  }

  // --- packets (parseEngineMessage / parseEngineData) ---
  communicated() {
    const now = Date.now();
    if (this.lastCommunication !== null) this.maxSilence = Math.max(this.maxSilence, now - this.lastCommunication);
    this.lastCommunication = now;
  }

  parseEngineMessage(msg, via) {
    this.communicated();
    this.received.push({ via, msg });
    const b64 = this.eio === 4 ? "b" : "b4";
    if (msg.startsWith(b64)) {
      this.onBinary?.(Buffer.from(msg.slice(b64.length), "base64"));
      return;
    }
    switch (msg[0]) {
      case "0":
        return this.handleOpen(msg.slice(1));
      case "1":
        this.note("close packet");
        this.closedByServer = true;
        return;
      case "2":
        this.serverPings++;
        // v16 answers with a pong; v15 has no case for a ping and ignores it
        if (this.eio === 4) this.write("3");
        return;
      case "3":
        return this.handlePong(msg);
      case "4":
        return this.onMessage?.(msg); // with its engine type 4, as the replay's packets are written
      case "6":
        return this.doPoll(); // handleNOOP
      default:
        return this.fail(`unknown engine packet ${JSON.stringify(msg)}`);
    }
  }

  parseEngineData(buf) {
    this.communicated();
    if (this.eio === 3) {
      this.wsBinaryPrefixes.push(buf[0]);
      buf = buf.subarray(1); // v15 drops the first byte (the packet type 4)
    }
    this.received.push({ via: "ws", msg: buf });
    this.onBinary?.(buf);
  }

  handleOpen(json) {
    let open;
    try {
      open = JSON.parse(json);
    } catch {
      return this.fail(`open packet is not JSON: ${json}`);
    }
    if (typeof open.sid !== "string") return this.fail("open packet without a sid");
    this.openRaw = json;
    this.open = open;
    this.sid = open.sid;
    this.connected = true;
    const upgradeWs = Array.isArray(open.upgrades) && open.upgrades.includes("websocket");
    // `json["pingInterval"] as? Int`: both must be integers, or the defaults stay
    if (Number.isInteger(open.pingInterval) && Number.isInteger(open.pingTimeout)) {
      this.pingInterval = open.pingInterval;
      this.pingTimeout = open.pingTimeout;
    } else {
      this.pingInterval = 25_000;
      this.pingTimeout = 0;
      this.note("ping fields not integers");
    }
    this.pongsMissed = 0;
    this.pongsMissedMax = Math.trunc(this.pingTimeout / this.pingInterval);
    if (!this.forcePolling && !this.forceWebsockets && upgradeWs) this.createWebSocketAndConnect();
    if (this.eio === 4) this.checkPings();
    else this.sendPing();
    if (!this.forceWebsockets) this.doPoll();
    this.note("open", { open });
    setImmediate(() => !this.closed && this.onOpen?.()); // SocketManager.engineDidOpen, on handleQueue
  }

  /** v16: no client pings; the connection is dropped after pingInterval + pingTimeout of silence. */
  checkPings() {
    const deadline = this.pingInterval + this.pingTimeout;
    this.setTimer(() => {
      if (this.closed) return;
      if (Date.now() - this.lastCommunication >= deadline + SCHEDULING_SLACK_MS) {
        this.pingTimedOut = true;
        this.fail(`no packet for ${Date.now() - this.lastCommunication} ms (Swift drops after ${deadline} ms)`);
      } else this.checkPings();
    }, deadline);
  }

  /** v15: the client pings every pingInterval; a pong must come before the next ping. */
  sendPing() {
    if (!this.connected || this.closed) return;
    if (this.pongsMissed > this.pongsMissedMax) {
      this.pingTimedOut = true;
      return this.fail("ping timeout: no pong before the next client ping");
    }
    this.pongsMissed++;
    this.clientPings++;
    this.write("2");
    this.setTimer(() => this.sendPing(), this.pingInterval);
  }

  handlePong(msg) {
    this.pongsMissed = 0;
    this.pongsReceived++;
    if (msg === "3probe") {
      this.probeAnsweredAt = Date.now();
      this.probeAnsweredSeq = ++this.seq;
      this.note("3probe");
      this.upgradeTransport();
    }
  }

  upgradeTransport() {
    if (!this.wsConnected) return;
    this.fastUpgrade = true;
    this.sendPollMessage("", "6", []); // built, then dropped by doRequest (fastUpgrade is set)
  }

  // --- writing (write / sendPollMessage / flushWaitingForPost) ---
  write(type, msg = "", datas = []) {
    if (!this.connected || this.closed) return this.note("write dropped (not connected)", { type, msg });
    if (this.probing) {
      this.probeWait.push([type, msg, datas]);
      return this.note("write queued (probing)", { type, msg });
    }
    if (this.polling) this.sendPollMessage(msg, type, datas);
    else this.sendWebSocketMessage(msg, type, datas);
  }

  sendPollMessage(msg, type, datas) {
    this.postWait.push(type + msg);
    for (const d of datas) this.postWait.push((this.eio === 4 ? "b" : "b4") + d.toString("base64"));
    if (!this.waitingForPost) this.flushWaitingForPost();
  }

  flushWaitingForPost() {
    if (this.postWait.length === 0 || !this.connected) return;
    if (!this.polling) return this.flushWaitingForPostToWebSocket();
    const body = encodePayload(this.postWait, this.eio);
    this.postWait = [];
    this.waitingForPost = true;
    this.doRequest("POST", this.query("polling", true), body, (res) => {
      if (res.status !== 200) {
        if (this.polling) this.fail(`POST answered ${res.status} ${res.error ?? res.text}`);
        return;
      }
      this.waitingForPost = false;
      if (!this.fastUpgrade) {
        this.flushWaitingForPost();
        this.doPoll();
      }
    });
  }

  flushWaitingForPostToWebSocket() {
    for (const m of this.postWait) this.wsSend(m);
    this.postWait = [];
  }

  // --- WebSocket (Starscream) ---
  async createWebSocketAndConnect() {
    if (this.holdWebSocket) await this.holdWebSocket;
    if (this.closed) return;
    const wsScheme = this.scheme === "https" ? "wss" : "ws";
    const url = `${wsScheme}://127.0.0.1:${this.port}${this.query("websocket", true)}`;
    const headers = {};
    const cookie = this.jar.header();
    if (cookie) headers.Cookie = cookie;
    // Starscream: Origin = the URL's scheme://host:port, Host with the port,
    // Upgrade, Connection, Sec-WebSocket-Version 13, Sec-WebSocket-Key; no
    // User-Agent, no subprotocol, no extension (unless .compress).
    const ws = new WebSocket(url, { origin: `${wsScheme}://127.0.0.1:${this.port}`, headers, perMessageDeflate: false, ca: this.ca });
    this.ws = ws;
    this.note("ws connect", { url });
    ws.on("upgrade", (res) => {
      this.wsUpgradeHeaders = res.headers;
      this.jar.store(res.headers["set-cookie"]);
    });
    ws.on("unexpected-response", (req, res) => {
      this.note("ws refused", { status: res.statusCode });
      this.wsRefused = res.statusCode;
      req.destroy();
    });
    ws.on("error", (e) => {
      this.wsError = e.message; // Starscream's .error is ignored by the engine
      this.note("ws error", { error: e.message });
    });
    ws.on("open", () => {
      if (this.closed) return ws.terminate();
      this.wsConnected = true;
      this.note("ws open");
      if (!this.forceWebsockets) {
        this.probing = true;
        this.wsSend("2probe");
        this.onProbe?.(); // test hook: something written now waits in probeWait
      } else {
        this.connected = true;
        this.probing = false;
        this.polling = false;
      }
    });
    ws.on("message", (data, isBinary) => {
      if (this.closed) return;
      if (isBinary) {
        const buf = Buffer.from(data);
        this.wsIn.push(buf);
        this.note("ws in", { bin: buf.toString("hex") });
        this.parseEngineData(buf);
      } else {
        const text = data.toString("utf8");
        this.wsIn.push(text);
        this.note("ws in", { text });
        this.parseEngineMessage(text, "ws");
      }
    });
    ws.on("close", (code) => {
      this.wsConnected = false;
      this.wsClosed = code;
      this.note("ws close", { code });
      this.probing = false;
      if (this.closed) return;
      if (this.polling) {
        this.flushProbeWait();
        return;
      }
      this.connected = false;
    });
  }

  wsSend(data) {
    this.wsOut.push(data);
    this.note("ws out", Buffer.isBuffer(data) ? { bin: data.toString("hex") } : { text: data });
    this.ws.send(data);
  }

  sendWebSocketMessage(msg, type, datas) {
    this.wsSend(`${type}${msg}`);
    for (const d of datas) this.wsSend(this.eio === 4 ? d : Buffer.concat([Buffer.from([4]), d]));
  }

  doFastUpgrade() {
    if (this.waitingForPoll) this.note("outstanding poll at upgrade");
    this.sendWebSocketMessage("", "5", []);
    this.upgradedAt = Date.now();
    this.polling = false;
    this.fastUpgrade = false;
    this.probing = false;
    this.flushProbeWait();
    if (this.postWait.length) this.flushWaitingForPostToWebSocket();
  }

  flushProbeWait() {
    const waiting = this.probeWait;
    this.probeWait = [];
    for (const [type, msg, datas] of waiting) this.write(type, msg, datas);
  }

  /** Ends everything this engine opened (no close packet: not part of a case). */
  close() {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.requests) r.destroy();
    this.requests.clear();
    this.ws?.terminate();
    this.agent.destroy();
  }

  /** No POST in flight and none waiting (the server may answer a GET before the POST that fed it). */
  get postsSettled() {
    return !this.waitingForPost && this.postWait.length === 0;
  }

  /** The GET whose completion switched to the WebSocket (the released long-poll). */
  get releasingGet() {
    return this.http.find((r) => r.method === "GET" && r.s1 > (this.probeAnsweredSeq ?? Infinity));
  }
}

/**
 * Heartbeat slack: Swift drops a v16 connection after exactly pingInterval +
 * pingTimeout of silence; the replay allows this much more so that a
 * loaded 2-core test machine does not turn scheduling delays into failures.
 */
const SCHEDULING_SLACK_MS = 400;

// ---------------------------------------------------------------------------
// SwiftIO: the Socket.IO side (SocketManager + SocketIOClient + parser).

class SwiftIO {
  constructor(engine) {
    this.engine = engine;
    this.packets = []; // complete packets received, in order
    this.pending = null; // a binary packet waiting for its attachments
    this.sockets = new Map(); // nsp -> {payload, status}
    this.acks = 0; // per socket in Swift; one socket per nsp here
    this.ackIds = new Map();
    engine.onMessage = (s) => this.onPacket(s);
    engine.onBinary = (b) => this.onBinary(b);
    engine.onOpen = () => this.engineDidOpen();
  }

  /** socket(forNamespace:).connect(withPayload:) made before the engine opened. */
  socket(nsp, payload) {
    this.sockets.set(nsp, { payload, status: "connecting" });
    return this;
  }

  engineDidOpen() {
    this.engineOpen = true;
    if (this.holdConnects) return;
    this.sendConnects();
  }

  sendConnects() {
    for (const [nsp, s] of this.sockets) {
      if (s.status !== "connecting") continue;
      if (this.engine.eio === 3 && nsp === "/") {
        s.status = "connected"; // v15: "/" is joined with the engine, no CONNECT
        continue;
      }
      this.connectSocket(nsp, s.payload);
    }
  }

  /** SocketManager.connectSocket: "0<nsp>,<payload>" (v15: never a payload). */
  connectSocket(nsp, payload) {
    const p = this.engine.eio === 4 && payload !== undefined ? swiftJson(payload) : "";
    this.engine.write("4", `0${nsp},${p}`);
  }

  /**
   * SocketIOClient.emit: `2[<nsp>,][event,...]`; Buffers anywhere in `args`
   * become {"_placeholder":true,"num":i} and go out as attachments
   * (SocketPacket.deconstructData).
   */
  emit(nsp, args, ackId = null, type0 = "2") {
    const binaries = [];
    const shred = (v) => {
      if (Buffer.isBuffer(v)) {
        binaries.push(v);
        return { _placeholder: true, num: binaries.length - 1 };
      }
      if (Array.isArray(v)) return v.map(shred);
      if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shred(x)]));
      return v;
    };
    args = shred(args);
    const type = binaries.length ? `${type0 === "2" ? 5 : 6}${binaries.length}-` : type0;
    const ns = nsp === "/" ? "" : `${nsp},`;
    this.engine.write("4", `${type}${ns}${ackId ?? ""}${swiftJson(args)}`, binaries);
  }

  /** emitWithAck(...).timingOut(after:): ack ids count from 0 per socket. */
  emitWithAck(nsp, args) {
    const id = this.ackIds.get(nsp) ?? 0;
    this.ackIds.set(nsp, id + 1);
    this.emit(nsp, args, id);
    return id;
  }

  /** SocketAckEmitter.with: `3[<nsp>,]<id>[...]` (binary: `6<n>-...`). */
  ack(nsp, id, args) {
    this.emit(nsp, args, id, "3");
  }

  onPacket(str) {
    let p;
    try {
      p = parseSio(str);
    } catch (e) {
      return this.engine.fail(`unparsable Socket.IO packet ${JSON.stringify(str)}: ${e.message}`);
    }
    p.binaries = [];
    p.canon = canon(str);
    const s = this.sockets.get(p.nsp);
    if (p.type === 0 && s) s.status = "connected";
    if ((p.type === 2 || p.type === 5) && s && s.status !== "connected") p.droppedBySwift = true;
    if (p.attachments > 0) this.pending = p;
    else this.packets.push(p);
  }

  onBinary(buf) {
    if (!this.pending) return this.engine.fail(`binary without a packet waiting: ${buf.toString("hex")}`);
    this.pending.binaries.push(buf);
    if (this.pending.binaries.length === this.pending.attachments) {
      this.packets.push(this.pending);
      this.pending = null;
    }
  }

  raws(nsp) {
    return this.packets.filter((p) => nsp === undefined || p.nsp === nsp).map((p) => p.raw);
  }

  /** A packet equal to `raw` up to JSON encoding was received. */
  has(raw) {
    const want = canon(raw);
    return this.packets.some((p) => p.canon === want);
  }

  find(pred) {
    return this.packets.find(pred);
  }

  /** Normalized per-namespace transcript (for C++ vs Node). */
  transcript() {
    const out = {};
    for (const p of this.packets) {
      (out[p.nsp] ??= []).push(
        normSio(p.canon) + (p.binaries.length ? ` +${p.binaries.map((b) => b.toString("hex")).join(",")}` : ""),
      );
    }
    return out;
  }
}

// ---------------------------------------------------------------------------
// Targets, servers, and the reference transcripts

/** Node first: its transcripts are the reference for cpp and cpp-2. */
const ORDERED_TARGETS = [...SIO_TARGETS].sort((a, b) => (a.name === "node" ? -1 : b.name === "node" ? 1 : 0));
const REFERENCE = new Map(); // case name -> node transcript

/** Server groups: each started once per target, on first use. */
const GROUPS = {
  // v16 upgrade cases: heartbeat slow enough that no ping races the probe
  v16: ["--ping-interval", "1000", "--ping-timeout", "5000"],
  // v16 with the default 300 / 200 ms heartbeat
  v16fast: [],
  // v15 (EIO=3): the client pings every pingInterval
  v15: ["--eio3", "--ping-interval", "1000", "--ping-timeout", "5000"],
  // v15 with the default 300 / 200 ms heartbeat
  v15fast: ["--eio3"],
};

/** `tls`: the test certificates, to start the servers with (https and wss only). */
function serversFor(target, tls) {
  const started = new Map();
  after(async () => {
    const all = await Promise.allSettled(started.values());
    await Promise.all(all.filter((r) => r.status === "fulfilled").map((r) => r.value.stop()));
  });
  return (group) => {
    if (!started.has(group)) {
      const args = tls ? [...GROUPS[group], ...tls.serverArgs] : GROUPS[group];
      const p = startServer(target, args).then((server) => ({ ...server, ca: tls?.ca }));
      p.catch(() => {});
      started.set(group, p);
    }
    return started.get(group);
  };
}

/**
 * One case: `run({server, t, target})` returns a transcript (JSON-able) or
 * undefined; the node target records it, the C++ targets must match it.
 */
function swiftCase(name, group, run, { compare = true } = {}) {
  return { name, group, run, compare };
}

/** Starts an engine + io, closed after the test. */
function swift(t, server, o) {
  const engine = new SwiftEngine(server, o);
  const io = new SwiftIO(engine);
  t.after(() => engine.close());
  return { engine, io };
}

/**
 * Starts an engine whose WebSocket waits until `joined(io)` holds over
 * polling with no POST in flight, then lets the upgrade happen. A POST still
 * in flight at 3probe is a real Swift race: if it reaches the server after
 * "5", Node answers 400 and Swift drops its packets without a word (see
 * the "late POST" case); the cases that are not about that race avoid it.
 */
async function joinThenUpgrade(t, server, o, setup, joined) {
  const wsGate = gate();
  const { engine, io } = swift(t, server, { ...o, holdWebSocket: wsGate });
  setup(io);
  engine.connect();
  await engine.until(
    () => joined(io, engine) && engine.postsSettled,
    4000,
    "joined over polling",
  );
  wsGate.open();
  await engine.until(() => engine.upgradedAt, 4000, "upgrade");
  return { engine, io };
}

/** Resolvable promise. */
function gate() {
  let open;
  const p = new Promise((r) => (open = r));
  p.open = open;
  return p;
}

/** The open packet's JSON integer fields as Swift reads them (`as? Int`). */
function assertOpenPacket(engine, { interval, timeout, upgrades }) {
  const o = engine.open;
  assert.ok(o, "no open packet");
  assert.match(o.sid, SID_RE, "sid");
  assert.deepEqual(o.upgrades, upgrades, "upgrades");
  for (const [k, v] of [
    ["pingInterval", interval],
    ["pingTimeout", timeout],
  ]) {
    assert.ok(Number.isInteger(o[k]), `${k} must be a JSON integer: ${engine.openRaw}`);
    assert.match(engine.openRaw, new RegExp(`"${k}":${v}[,}]`), `${k} written as a plain integer`);
  }
}

/** No silence long enough for Swift's checkPings (plus scheduling slack). */
function assertHeartbeatSilence(engine) {
  const limit = engine.pingInterval + engine.pingTimeout + SCHEDULING_SLACK_MS;
  assert.ok(engine.maxSilence < limit, `longest silence ${engine.maxSilence} ms (Swift: ${limit - SCHEDULING_SLACK_MS} ms)`);
}

/** Every HTTP exchange answered 200 (Swift errors out on anything else). */
function assertAll200(engine) {
  for (const r of engine.http) {
    assert.equal(r.status, 200, `${r.method} ${r.path} answered ${r.status}: ${r.error ?? r.text}`);
    assert.ok([null, "gzip", "deflate", "br"].includes(r.encoding), `encoding ${r.encoding}`);
  }
}

/** The Socket.IO packets the server sent for a namespace, the CONNECT answer first. */
function assertConnectFirst(io, nsp) {
  const first = io.packets.find((p) => p.nsp === nsp);
  assert.ok(first, `nothing received on ${nsp}`);
  assert.equal(first.type, 0, `first packet on ${nsp} must be the CONNECT answer, got ${first.raw}`);
  assert.ok(!io.packets.some((p) => p.droppedBySwift), "an event arrived before its CONNECT answer (Swift drops it)");
}

/** The engine packet received right after the Socket.IO packet starting with `prefix`. */
function attachmentAfter(engine, prefix) {
  const i = engine.received.findIndex((r) => typeof r.msg === "string" && r.msg.startsWith(prefix));
  assert.ok(i >= 0, `no packet ${prefix}`);
  return engine.received[i + 1]?.msg;
}

const AUTH_EVENT = (nsp, auth) => `42${nsp === "/" ? "" : `${nsp},`}${JSON.stringify(["auth", auth])}`;

// ---------------------------------------------------------------------------
// The cases

const CASES = [
  // ======================= v16 default: polling, then upgrade ==============
  swiftCase("v16 handshake: GET ?transport=polling&b64=1&EIO=4 gives one open packet", "v16", async ({ server, t }) => {
    const { engine } = swift(t, server, { cookies: { app: "swift" }, holdWebSocket: gate() }); // only the handshake
    engine.connect();
    await engine.until(() => engine.open, 4000, "open packet");
    const hs = engine.http[0];
    assert.equal(hs.method, "GET");
    assert.equal(hs.path, "/socket.io/?transport=polling&b64=1&EIO=4");
    assert.equal(hs.status, 200);
    assert.match(hs.headers["content-type"], /^text\/plain; ?charset=UTF-8$/i);
    assert.deepEqual(hs.packets.length, 1, `the handshake answer is the open packet alone: ${hs.text}`);
    assertOpenPacket(engine, { interval: 1000, timeout: 5000, upgrades: ["websocket"] });
    assert.ok(Number.isInteger(engine.open.maxPayload), "maxPayload");
    return {
      open: { ...engine.open, sid: "<sid>" },
      contentType: hs.headers["content-type"].toLowerCase().replace(/\s/g, ""),
      setCookie: engine.jar.received.length > 0,
    };
  }),

  swiftCase(
    "v16 upgrade: CONNECT 40/, POSTed beside the pending GET, then 2probe/3probe, the GET released by 6, then 5",
    "v16",
    async ({ server, t }) => {
      const wsGate = gate();
      const { engine, io } = swift(t, server, { holdWebSocket: wsGate });
      io.socket("/");
      engine.connect();
      // polling part: POST "40/," while the GET with the sid is pending
      await engine.until(() => io.has(AUTH_EVENT("/", {})) && engine.postsSettled, 4000, "CONNECT answer and auth event over polling");
      const post = engine.http.find((r) => r.method === "POST");
      assert.equal(post.body, "40/,");
      assert.equal(post.path, `/socket.io/?transport=polling&b64=1&EIO=4&sid=${engine.sid}`);
      const connectGet = engine.http.find((r) => r.method === "GET" && r.packets?.some((p) => p.startsWith("40")));
      assert.ok(connectGet.s0 < post.s0, "the GET was already pending when the CONNECT was POSTed");
      assertConnectFirst(io, "/");
      assert.match(io.packets[0].raw, /^40\{"sid":"[\w-]{20}"\}$/);
      // the probe: the WebSocket comes up while a GET is pending
      await engine.until(() => engine.waitingForPoll, 2000, "a pending GET");
      const pendingSince = Date.now();
      wsGate.open();
      await engine.until(() => engine.upgradedAt, 4000, "upgrade (3probe, GET released, 5 sent)");
      assert.equal(engine.wsOut[0], "2probe");
      assert.equal(engine.wsIn[0], "3probe", "the first frame on the WebSocket answers the probe");
      assert.ok(engine.ws.url.endsWith(`/socket.io/?transport=websocket&EIO=4&sid=${engine.sid}`), engine.ws.url);
      const released = engine.releasingGet;
      assert.ok(released, "the pending GET was answered after 3probe");
      assert.ok(released.s0 < engine.probeAnsweredSeq, "that GET was pending before the probe");
      assert.deepEqual(released.packets, ["6"], "the pending GET is released with a noop");
      const releaseMs = released.t1 - engine.probeAnsweredAt;
      t.diagnostic(`GET released ${releaseMs} ms after 3probe (pending ${released.t1 - pendingSince} ms)`);
      assert.ok(releaseMs < 1000, `GET released ${releaseMs} ms after 3probe`);
      assert.deepEqual(engine.wsOut.slice(0, 2), ["2probe", "5"]);
      assert.ok(engine.log.some((e) => e.kind === "POST not sent" && e.body === "6"), "Swift's own noop POST is never sent");
      // the WebSocket carries the session now
      io.emit("/", ["message", "after upgrade", { url: "http://x/y" }]);
      await engine.until(() => io.has('42["message-back","after upgrade",{"url":"http://x/y"}]'), 3000, "echo over ws");
      await engine.until(() => engine.serverPings >= 1, 3000, "a server ping on the WebSocket");
      await sleep(300);
      assert.equal(engine.wsOut.filter((f) => f === "3").length, engine.serverPings, "every ping answered");
      assert.equal(engine.failure, null);
      assert.equal(engine.wsClosed, undefined, "WebSocket still open");
      assertAll200(engine);
      return { packets: io.transcript(), release: released.packets, firstWsIn: engine.wsIn[0] };
    },
  ),

  swiftCase(
    "v16 upgrade: a CONNECT written while probing waits in probeWait and goes over the WebSocket right after 5",
    "v16",
    async ({ server, t }) => {
      const { engine, io } = swift(t, server);
      io.holdConnects = true;
      io.socket("/", { token: "r/1" });
      engine.onProbe = () => io.sendConnects(); // the manager gets to it while the probe is out
      engine.connect();
      await engine.until(() => engine.upgradedAt, 4000, "upgrade");
      await engine.until(() => io.has(AUTH_EVENT("/", { token: "r/1" })), 3000, "CONNECT answer over ws");
      assert.deepEqual(engine.wsOut.slice(0, 3), ["2probe", "5", '40/,{"token":"r\\/1"}']);
      assert.equal(engine.wsIn[0], "3probe");
      assert.deepEqual(engine.releasingGet.packets, ["6"]);
      assert.ok(!engine.http.some((r) => r.method === "POST"), "nothing POSTed");
      assertConnectFirst(io, "/");
      assertAll200(engine);
      assert.equal(engine.failure, null);
      return { packets: io.transcript() };
    },
  ),

  swiftCase(
    "v16 namespaces: 40/,{auth} and 40/custom,{auth} batched in one POST, a refused namespace",
    "v16",
    async ({ server, t }) => {
      const wsGate = gate();
      const { engine, io } = swift(t, server, { holdWebSocket: wsGate, connectParams: { app: "ios" } });
      io.socket("/", { token: "root" });
      io.socket("/custom", { token: "abc", url: "https://example.com/a?b=c", n: 1 });
      io.socket("/nope");
      engine.connect();
      await engine.until(
        () => io.has(AUTH_EVENT("/custom", { token: "abc", url: "https://example.com/a?b=c", n: 1 })) &&
          io.has(AUTH_EVENT("/", { token: "root" })) && io.find((p) => p.nsp === "/nope") && engine.postsSettled,
        4000,
        "answers on /, /custom and /nope",
      );
      assert.equal(engine.http[0].path, "/socket.io/?transport=polling&b64=1&app=ios&EIO=4");
      const posts = engine.http.filter((r) => r.method === "POST").map((r) => r.body);
      assert.equal(
        posts.join(RS),
        ['40/,{"token":"root"}', '40/custom,{"token":"abc","url":"https:\\/\\/example.com\\/a?b=c","n":1}', "40/nope,"].join(RS),
      );
      assert.ok(posts.length <= 3);
      assertConnectFirst(io, "/");
      assertConnectFirst(io, "/custom");
      assert.match(io.find((p) => p.nsp === "/custom").raw, /^40\/custom,\{"sid":"[\w-]{20}"\}$/);
      assert.deepEqual(io.raws("/nope"), ['44/nope,{"message":"Invalid namespace"}']);
      wsGate.open();
      await engine.until(() => engine.upgradedAt, 4000, "upgrade");
      io.emit("/custom", ["message", "on custom"]);
      await engine.until(() => io.has('42/custom,["message-back","on custom"]'), 3000, "echo on /custom");
      assertAll200(engine);
      assert.equal(engine.failure, null);
      return { packets: io.transcript() };
    },
  ),

  swiftCase("v16 WebSocket: events, acks both ways, binary attachments", "v16", async ({ server, t }) => {
    const { engine, io } = await joinThenUpgrade(
      t,
      server,
      {},
      (io) => io.socket("/").socket("/custom", { token: "t" }),
      (io) => io.has(AUTH_EVENT("/", {})) && io.has(AUTH_EVENT("/custom", { token: "t" })),
    );
    // event with Swift-flavoured JSON (escaped slashes, doubles, nested)
    io.emit("/", ["message", "a/b", 1.5, -3, true, null, { k: ["v", { deep: [] }] }, "é😀"]);
    // emitWithAck: ids count from 0 per socket
    const a0 = io.emitWithAck("/", ["message-with-ack", 1, "two"]);
    const a1 = io.emitWithAck("/custom", ["message-with-ack", { x: "y/z" }]);
    // binary: one attachment, placeholder keys in both orders (dictionary order)
    io.emit("/", ["message", Buffer.from([1, 2, 3])]);
    engine.write("4", '51-/custom,["message",{"num":0,"_placeholder":true},"tail"]', [Buffer.from([0xff, 0, 0x80])]);
    const a2 = io.emitWithAck("/", ["message-with-ack", Buffer.from("bin")]);
    // the server asks for an ack, Swift answers with SocketAckEmitter.with
    io.emit("/custom", ["emit-with-ack", "q", 7]);
    await engine.until(() => io.find((p) => p.nsp === "/custom" && p.type === 2 && p.id !== null), 3000, "server emit with ack");
    const asked = io.find((p) => p.nsp === "/custom" && p.type === 2 && p.id !== null);
    assert.deepEqual(asked.data, ["emit-with-ack", "q", 7]);
    io.ack("/custom", asked.id, ["answer", { ok: true }]);
    await engine.until(() => io.has('42/custom,["emit-with-ack","answer",{"ok":true}]'), 3000, "ack answered");
    await engine.until(
      () =>
        io.has('42["message-back","a/b",1.5,-3,true,null,{"k":["v",{"deep":[]}]},"é😀"]') &&
        io.has(`43${a0}[1,"two"]`) &&
        io.has(`43/custom,${a1}[{"x":"y/z"}]`) &&
        io.find((p) => p.raw.startsWith("451-/custom,")) &&
        io.find((p) => p.raw.startsWith("451-[") && p.binaries.length === 1) &&
        io.find((p) => p.type === 6),
      3000,
      "echoes and acks",
    );
    const bin = io.find((p) => p.raw.startsWith("451-[") && p.nsp === "/");
    assert.deepEqual(bin.data, ["message-back", { _placeholder: true, num: 0 }]);
    assert.deepEqual(bin.binaries, [Buffer.from([1, 2, 3])]);
    const binNs = io.find((p) => p.raw.startsWith("451-/custom,"));
    assert.deepEqual(binNs.data, ["message-back", { _placeholder: true, num: 0 }, "tail"]);
    assert.deepEqual(binNs.binaries, [Buffer.from([0xff, 0, 0x80])]);
    const binAck = io.find((p) => p.type === 6);
    assert.equal(binAck.id, a2);
    assert.deepEqual(binAck.data, [{ _placeholder: true, num: 0 }]);
    assert.deepEqual(binAck.binaries, [Buffer.from("bin")]);
    // binary attachments come as binary WebSocket frames, unprefixed in EIO 4
    assert.ok(engine.wsIn.some((f) => Buffer.isBuffer(f) && f.equals(Buffer.from([1, 2, 3]))));
    assert.equal(engine.failure, null);
    assertAll200(engine);
    return { packets: io.transcript() };
  }),

  swiftCase(
    "v16 upgrade with the 300/200 ms heartbeat: pings answered through the switch, none missed",
    "v16fast",
    async ({ server, t }) => {
      const wsGate = gate();
      const { engine, io } = swift(t, server, { holdWebSocket: wsGate });
      io.socket("/");
      engine.connect();
      await engine.until(() => io.has(AUTH_EVENT("/", {})), 4000, "joined");
      wsGate.open();
      await engine.until(() => engine.upgradedAt, 4000, "upgraded");
      assertOpenPacket(engine, { interval: 300, timeout: 200, upgrades: ["websocket"] });
      const released = engine.releasingGet;
      // a server ping may beat the noop to the pending GET
      assert.ok(released.packets.every((p) => p === "6" || p === "2"), `released with ${released.packets}`);
      const pingsAtUpgrade = engine.serverPings;
      await sleep(1500);
      assert.ok(engine.serverPings >= pingsAtUpgrade + 2, `server pings on the WebSocket: ${engine.serverPings - pingsAtUpgrade}`);
      assertHeartbeatSilence(engine);
      io.emit("/", ["message", "still"]);
      await engine.until(() => io.has('42["message-back","still"]'), 3000, "echo");
      assert.equal(engine.failure, null, "no heartbeat timeout");
      assert.equal(engine.wsClosed, undefined);
      t.diagnostic(`longest silence ${engine.maxSilence} ms`);
      assertAll200(engine);
      return undefined; // timing-dependent: not compared
    },
    { compare: false },
  ),

  swiftCase(
    "v16 a noop 6 left in postWait reaches the server over the WebSocket after 5 and is ignored",
    "v16",
    async ({ server, t }) => {
      // When 3probe lands while a POST is in flight, Swift's noop stays in
      // postWait and doFastUpgrade flushes it on the WebSocket after "5".
      const { engine, io } = await joinThenUpgrade(t, server, {}, (io) => io.socket("/"), (io) => io.has(AUTH_EVENT("/", {})));
      engine.wsSend("6");
      io.emit("/", ["message", "after noop"]);
      await engine.until(() => io.has('42["message-back","after noop"]'), 3000, "echo after a noop");
      await sleep(200);
      assert.equal(engine.wsClosed, undefined, "the WebSocket stays open");
      return { packets: io.transcript() };
    },
  ),

  swiftCase(
    "v16 a POST that reaches the server after the upgrade (a POST in flight at 3probe)",
    "v16",
    async ({ server, t }) => {
      const { engine, io } = await joinThenUpgrade(t, server, {}, (io) => io.socket("/"), (io) => io.has(AUTH_EVENT("/", {})));
      io.emit("/", ["message", "upgraded"]);
      await engine.until(() => io.has('42["message-back","upgraded"]'), 3000, "echo over ws (5 processed)");
      // the POST Swift had in flight, arriving late: Swift ignores its answer
      // (polling is off), so whatever the server answers, its packets are
      // either delivered or silently lost
      const res = await new Promise((resolve, reject) => {
        const body = Buffer.from('42["message","late"]');
        const req = engine.web.request({
          ca: engine.ca,
          host: "127.0.0.1",
          port: server.port,
          method: "POST",
          path: `/socket.io/?transport=polling&b64=1&EIO=4&sid=${engine.sid}`,
          headers: { ...URLSESSION_HEADERS, "Content-Type": "text/plain; charset=UTF-8", "Content-Length": body.length },
          agent: false,
        });
        req.setTimeout(3000, () => req.destroy(new Error("late POST: no answer in 3 s")));
        req.on("error", reject);
        req.on("response", (r) => {
          const chunks = [];
          r.on("data", (c) => chunks.push(c));
          r.on("end", () => resolve({ status: r.statusCode, text: Buffer.concat(chunks).toString() }));
        });
        req.end(body);
      });
      await sleep(400);
      const delivered = io.has('42["message-back","late"]');
      t.diagnostic(`late POST: ${res.status} ${res.text}; delivered: ${delivered}`);
      assert.equal(engine.wsClosed, undefined, "the upgraded session survives");
      io.emit("/", ["message", "still"]);
      await engine.until(() => io.has('42["message-back","still"]'), 3000, "session still serves");
      return { status: res.status, body: res.text, delivered };
    },
  ),

  // ======================= v16 forceWebsockets ==============================
  swiftCase(
    "v16 forceWebsockets: sid-less WebSocket, open packet on it, CONNECT, events, pings answered",
    "v16fast",
    async ({ server, t }) => {
      const { engine, io } = swift(t, server, { forceWebsockets: true, cookies: { app: "swift" } });
      io.socket("/", { token: "ws" });
      io.socket("/custom");
      engine.connect();
      await engine.until(() => engine.open, 4000, "open packet over the WebSocket");
      assert.ok(engine.ws.url.endsWith("/socket.io/?transport=websocket&EIO=4"), engine.ws.url);
      assert.equal(engine.http.length, 0, "no HTTP request at all");
      assertOpenPacket(engine, { interval: 300, timeout: 200, upgrades: [] });
      assert.match(String(engine.wsIn[0]), /^0\{/, "the open packet is the first frame");
      assert.ok(engine.wsUpgradeHeaders["sec-websocket-accept"], "Sec-WebSocket-Accept (Starscream 3 needs it)");
      assert.equal(engine.wsUpgradeHeaders["sec-websocket-extensions"], undefined);
      assert.equal(engine.wsUpgradeHeaders["sec-websocket-protocol"], undefined);
      await engine.until(() => io.has(AUTH_EVENT("/", { token: "ws" })) && io.has(AUTH_EVENT("/custom", {})), 3000, "joined");
      assert.deepEqual(engine.wsOut.slice(0, 2).sort(), ['40/,{"token":"ws"}', "40/custom,"].sort());
      assertConnectFirst(io, "/");
      assertConnectFirst(io, "/custom");
      io.emit("/custom", ["message", "ws only"]);
      const id = io.emitWithAck("/", ["message-with-ack", "x"]);
      io.emit("/", ["message", { file: Buffer.from([9, 8]) }, "bin"]);
      await engine.until(
        () => io.has('42/custom,["message-back","ws only"]') && io.has(`43${id}["x"]`) && io.find((p) => p.type === 5),
        3000,
        "echoes",
      );
      await sleep(1200);
      assert.ok(engine.serverPings >= 2, `server pings: ${engine.serverPings}`);
      assertHeartbeatSilence(engine);
      assert.equal(engine.wsOut.filter((f) => f === "3").length, engine.serverPings, "each ping answered with 3");
      assert.equal(engine.failure, null);
      assert.equal(engine.wsClosed, undefined);
      t.diagnostic(`longest silence ${engine.maxSilence} ms`);
      return { packets: io.transcript() };
    },
  ),

  // ======================= v16 forcePolling =================================
  swiftCase(
    "v16 forcePolling: GET and POST concurrently, batched POSTs, pings answered by POST, binary as b<base64>",
    "v16fast",
    async ({ server, t }) => {
      const { engine, io } = swift(t, server, { forcePolling: true });
      io.socket("/", { token: "p" });
      engine.connect();
      await engine.until(() => io.has(AUTH_EVENT("/", { token: "p" })), 4000, "joined over polling");
      assertOpenPacket(engine, { interval: 300, timeout: 200, upgrades: ["websocket"] });
      assert.equal(engine.ws, null, "no WebSocket with forcePolling");
      // several writes while a POST is in flight go out together in the next one
      io.emit("/", ["message", "one"]);
      io.emit("/", ["message", "two"]);
      const id = io.emitWithAck("/", ["message-with-ack", "three"]);
      io.emit("/", ["message", Buffer.from([0, 1, 254, 255])]);
      io.emit("/", ["message", "x".repeat(3000)]); // big enough to be compressed by the server
      await engine.until(
        () =>
          io.has('42["message-back","one"]') &&
          io.has('42["message-back","two"]') &&
          io.has(`43${id}["three"]`) &&
          io.find((p) => p.type === 5) &&
          io.has(`42["message-back","${"x".repeat(3000)}"]`) &&
          engine.http.some((r) => r.method === "POST" && r.body.includes("x".repeat(3000))),
        4000,
        "echoes over polling",
      );
      const batched = engine.http.find((r) => r.method === "POST" && r.body.includes(RS));
      assert.ok(batched, `a POST carried several packets: ${engine.http.filter((r) => r.method === "POST").map((r) => r.body.slice(0, 60))}`);
      const binPost = engine.http.find((r) => r.method === "POST" && r.body.includes('451-["message",{"_placeholder":true,"num":0}]'));
      assert.ok(binPost.body.includes(`${RS}bAAH+/w==`), `binary attachment as b<base64>: ${binPost.body}`);
      assert.equal(attachmentAfter(engine, "451-"), "bAAH+/w==", "the server's attachment follows as b<base64>");
      // concurrency: POSTs go out while a GET is pending (which of the two
      // the server answers first does not matter to Swift)
      const overlapping = engine.http.filter(
        (p) => p.method === "POST" && engine.http.some((g) => g.method === "GET" && g.s0 < p.s0 && g.s1 > p.s0),
      );
      assert.ok(overlapping.length >= 1, "a POST was sent while a GET was pending");
      // heartbeat over polling: pings on the GET, pongs POSTed
      const pings0 = engine.serverPings;
      await sleep(1500);
      // the server pings every pingInterval after each pong; what Swift needs
      // is that no silence reaches pingInterval + pingTimeout (checkPings)
      assert.ok(engine.serverPings >= pings0 + 2, `server pings over polling: ${engine.serverPings - pings0}\n${engine.dump(60)}`);
      assertHeartbeatSilence(engine);
      const pongs = engine.http.filter((r) => r.method === "POST").flatMap((r) => r.body.split(RS)).filter((p) => p === "3");
      assert.ok(pongs.length >= engine.serverPings - 1, `pongs POSTed: ${pongs.length} for ${engine.serverPings} pings`);
      for (const g of engine.http.filter((r) => r.method === "GET")) {
        assert.ok(g.t1 - g.t0 < 60_000, "long-poll under URLSession's 60 s");
      }
      assertAll200(engine);
      assert.equal(engine.failure, null);
      assert.equal(engine.closedByServer, undefined);
      t.diagnostic(`longest silence ${engine.maxSilence} ms, encodings ${[...new Set(engine.http.map((r) => r.encoding))]}`);
      return { packets: io.transcript() };
    },
  ),

  swiftCase("v16 forcePolling: namespace CONNECT with auth, refused namespace, ack from Swift", "v16fast", async ({ server, t }) => {
    const { engine, io } = swift(t, server, { forcePolling: true });
    io.socket("/custom", { token: "abc" });
    io.socket("/nope", { a: 1 });
    engine.connect();
    await engine.until(
      () => io.has(AUTH_EVENT("/custom", { token: "abc" })) && io.find((p) => p.nsp === "/nope"),
      4000,
      "answers",
    );
    assertConnectFirst(io, "/custom");
    assert.deepEqual(io.raws("/nope"), ['44/nope,{"message":"Invalid namespace"}']);
    io.emit("/custom", ["emit-with-ack", 1, 2]);
    await engine.until(() => io.find((p) => p.nsp === "/custom" && p.type === 2 && p.id !== null), 3000, "ack request");
    const asked = io.find((p) => p.nsp === "/custom" && p.type === 2 && p.id !== null);
    io.ack("/custom", asked.id, [3]);
    await engine.until(() => io.has('42/custom,["emit-with-ack",3]'), 3000, "ack delivered");
    assertAll200(engine);
    assert.equal(engine.failure, null);
    return { packets: io.transcript() };
  }),

  // ======================= v15 (Engine.IO 3) =================================
  swiftCase("v15 handshake: GET ?transport=polling&b64=1 without EIO, n: framed answers", "v15", async ({ server, t }) => {
    const wsGate = gate();
    const { engine, io } = swift(t, server, { eio: 3, holdWebSocket: wsGate });
    io.socket("/");
    engine.connect();
    await engine.until(
      () => io.has(AUTH_EVENT("/", {})) && engine.pongsReceived >= 1 && engine.postsSettled,
      4000,
      "40, auth and the first pong",
    );
    const hs = engine.http[0];
    assert.equal(hs.path, "/socket.io/?transport=polling&b64=1");
    assert.equal(hs.status, 200);
    assert.match(hs.text, /^\d+:0\{/, "n: framed open packet first");
    assertOpenPacket(engine, { interval: 1000, timeout: 5000, upgrades: ["websocket"] });
    // "/" is joined by the server on its own: 40 then the auth event, no CONNECT sent
    assert.deepEqual(io.raws("/"), ["40", '42["auth",{}]']);
    assert.ok(!engine.http.some((r) => r.method === "POST" && r.body.includes(":40")), "no CONNECT for /");
    // the first client ping goes out right after the open packet, as 1:2
    const firstPost = engine.http.find((r) => r.method === "POST");
    assert.equal(firstPost.body, "1:2");
    assert.equal(firstPost.path, `/socket.io/?transport=polling&b64=1&sid=${engine.sid}`);
    assert.ok(engine.received.some((r) => r.msg === "3"), "pong 3");
    assertAll200(engine);
    return {
      open: { ...engine.open, sid: "<sid>" },
      packets: io.transcript(),
    };
  }),

  swiftCase(
    "v15 upgrade: ws ?transport=websocket&sid (no EIO), 2probe/3probe, GET released by 1:6, 5, client pings on ws",
    "v15",
    async ({ server, t }) => {
      const wsGate = gate();
      const { engine, io } = swift(t, server, { eio: 3, holdWebSocket: wsGate });
      io.socket("/");
      io.socket("/custom");
      engine.connect();
      await engine.until(
        () => io.has(AUTH_EVENT("/", {})) && io.has(AUTH_EVENT("/custom", {})) && engine.pongsReceived >= 1 && engine.postsSettled,
        4000,
        "/ and /custom joined, first pong",
      );
      const posts = engine.http.filter((r) => r.method === "POST").map((r) => r.body).join("");
      assert.equal(posts, "1:210:40/custom,", "ping, then CONNECT /custom without payload");
      assertConnectFirst(io, "/custom");
      assert.deepEqual(io.raws("/custom"), ["40/custom,", '42/custom,["auth",{}]']);
      await engine.until(() => engine.waitingForPoll, 2000, "pending GET");
      wsGate.open();
      await engine.until(() => engine.upgradedAt, 4000, "upgrade");
      assert.ok(engine.ws.url.endsWith(`/socket.io/?transport=websocket&sid=${engine.sid}`), engine.ws.url);
      assert.deepEqual(engine.wsOut.slice(0, 2), ["2probe", "5"]);
      assert.equal(engine.wsIn[0], "3probe");
      const released = engine.releasingGet;
      assert.equal(released.text, "1:6", "pending GET released with a framed noop");
      const releaseMs = released.t1 - engine.probeAnsweredAt;
      t.diagnostic(`GET released ${releaseMs} ms after 3probe`);
      assert.ok(releaseMs < 1000);
      // after the switch: client pings on the WebSocket, answered by 3; never a server ping
      const pings0 = engine.clientPings;
      await sleep(2300);
      assert.ok(engine.clientPings >= pings0 + 2, `client pings on ws: ${engine.clientPings - pings0}`);
      assert.ok(engine.wsOut.filter((f) => f === "2").length >= 2);
      assert.ok(engine.wsIn.filter((f) => f === "3").length >= 2, "pongs on the WebSocket");
      assert.equal(engine.serverPings, 0, "the server never pings an EIO 3 client");
      io.emit("/", ["message", "é😀"]);
      io.emit("/custom", ["message", { a: [1, 2] }]);
      await engine.until(
        () => io.has('42["message-back","é😀"]') && io.has('42/custom,["message-back",{"a":[1,2]}]'),
        3000,
        "echoes over ws",
      );
      assert.equal(engine.failure, null);
      assert.equal(engine.wsClosed, undefined);
      assertAll200(engine);
      return { packets: io.transcript(), release: released.text };
    },
  ),

  swiftCase("v15 WebSocket binary: 0x04-prefixed frames both ways, acks, refused namespace", "v15", async ({ server, t }) => {
    const { engine, io } = await joinThenUpgrade(
      t,
      server,
      { eio: 3 },
      (io) => io.socket("/").socket("/nope"),
      (io, engine) => io.has(AUTH_EVENT("/", {})) && io.find((p) => p.nsp === "/nope") && engine.pongsReceived >= 1,
    );
    assert.deepEqual(io.raws("/nope"), ['44/nope,{"message":"Invalid namespace"}']);
    io.emit("/", ["message", Buffer.from([1, 2, 3])]);
    assert.ok(engine.wsOut.some((f) => Buffer.isBuffer(f) && f.equals(Buffer.from([4, 1, 2, 3]))), "sent as 04 01 02 03");
    const id = io.emitWithAck("/", ["message-with-ack", Buffer.from([0xaa]), "t"]);
    const id2 = io.emitWithAck("/", ["message-with-ack", "plain"]);
    await engine.until(
      () => io.find((p) => p.type === 5) && io.find((p) => p.type === 6) && io.has(`43${id2}["plain"]`),
      3000,
      "binary echo and acks",
    );
    const bin = io.find((p) => p.type === 5);
    assert.deepEqual(bin.data, ["message-back", { _placeholder: true, num: 0 }]);
    assert.deepEqual(bin.binaries, [Buffer.from([1, 2, 3])]);
    const binAck = io.find((p) => p.type === 6);
    assert.equal(binAck.id, id);
    assert.deepEqual(binAck.binaries, [Buffer.from([0xaa])]);
    assert.ok(engine.wsBinaryPrefixes.length >= 2);
    assert.ok(engine.wsBinaryPrefixes.every((b) => b === 4), `binary frames start with 0x04: ${engine.wsBinaryPrefixes}`);
    assert.equal(engine.serverPings, 0);
    assert.equal(engine.failure, null);
    assertAll200(engine);
    return { packets: io.transcript() };
  }),

  swiftCase(
    "v15 forcePolling: n: framing with UTF-16 lengths, b4 base64 binary, client pings, no server pings",
    "v15",
    async ({ server, t }) => {
      const { engine, io } = swift(t, server, { eio: 3, forcePolling: true, connectParams: { token: "q" } });
      io.socket("/");
      io.socket("/custom");
      engine.connect();
      await engine.until(() => io.has(AUTH_EVENT("/", {})) && io.has(AUTH_EVENT("/custom", {})), 4000, "joined");
      assert.equal(engine.http[0].path, "/socket.io/?transport=polling&b64=1&token=q");
      const astral = "😀👍🏽 é ü 中文 \u2028";
      io.emit("/", ["message", astral, "x".repeat(2000)]);
      io.emit("/custom", ["message", Buffer.from([0xde, 0xad, 0xbe, 0xef])]);
      const id = io.emitWithAck("/custom", ["message-with-ack", astral]);
      await engine.until(
        () =>
          io.has(`42["message-back",${JSON.stringify(astral)},"${"x".repeat(2000)}"]`) &&
          io.find((p) => p.type === 5) &&
          io.has(`43/custom,${id}[${JSON.stringify(astral)}]`) &&
          engine.http.some((r) => r.method === "POST" && r.body.includes("b43q2+7w==")),
        4000,
        "echoes",
      );
      // what Swift POSTed: each packet as <UTF-16 length>:<packet>
      const echoPost = engine.http.find((r) => r.method === "POST" && r.body.includes(astral));
      assert.ok(decodePayload(echoPost.body, 3).length >= 1);
      const binPost = engine.http.find((r) => r.method === "POST" && r.body.includes("b43q2+7w=="));
      assert.ok(binPost.body.includes("10:b43q2+7w=="), binPost.body);
      // what the server answered: the attachment as b4<base64> in the same payload
      assert.equal(attachmentAfter(engine, "451-/custom,"), "b43q2+7w==", "attachment as b4<base64>");
      // heartbeat: the client pings (1:2), the server answers 3 and never pings
      await sleep(2300);
      assert.ok(engine.clientPings >= 3, `client pings: ${engine.clientPings}`);
      assert.ok(engine.pongsReceived >= engine.clientPings - 1, `pongs ${engine.pongsReceived} for ${engine.clientPings} pings`);
      assert.equal(engine.serverPings, 0, "no server ping");
      assertAll200(engine);
      assert.equal(engine.failure, null);
      assert.equal(engine.closedByServer, undefined);
      return { packets: io.transcript() };
    },
  ),

  swiftCase(
    "v15 with the 300/200 ms heartbeat: client pings every 300 ms answered in time, forcePolling",
    "v15fast",
    async ({ server, t }) => {
      const { engine, io } = swift(t, server, { eio: 3, forcePolling: true });
      io.socket("/");
      engine.connect();
      await engine.until(() => io.has(AUTH_EVENT("/", {})), 4000, "joined");
      assertOpenPacket(engine, { interval: 300, timeout: 200, upgrades: ["websocket"] });
      await sleep(1500);
      assert.ok(engine.clientPings >= 4, `client pings: ${engine.clientPings}`);
      assert.equal(engine.serverPings, 0);
      io.emit("/", ["message", "alive"]);
      await engine.until(() => io.has('42["message-back","alive"]'), 3000, "echo");
      assert.equal(engine.failure, null, "every pong came before the next ping");
      assert.equal(engine.closedByServer, undefined);
      assertAll200(engine);
      return undefined;
    },
    { compare: false },
  ),

  swiftCase("v15 forceWebsockets: ws ?transport=websocket without sid or EIO", "v15", async ({ server, t }) => {
    const { engine, io } = swift(t, server, { eio: 3, forceWebsockets: true });
    io.socket("/");
    io.socket("/custom");
    engine.connect();
    await engine.until(() => io.has(AUTH_EVENT("/", {})) && io.has(AUTH_EVENT("/custom", {})), 4000, "joined");
    assert.ok(engine.ws.url.endsWith("/socket.io/?transport=websocket"), engine.ws.url);
    assert.match(String(engine.wsIn[0]), /^0\{/);
    assertOpenPacket(engine, { interval: 1000, timeout: 5000, upgrades: [] });
    assert.deepEqual(engine.wsOut.filter((f) => f !== "2"), ["40/custom,"]);
    assert.equal(engine.wsOut[0], "2", "the first client ping right after the open packet");
    await sleep(1200);
    assert.ok(engine.wsIn.filter((f) => f === "3").length >= 2, "pongs");
    assert.equal(engine.serverPings, 0);
    io.emit("/", ["message", "v15 ws"]);
    await engine.until(() => io.has('42["message-back","v15 ws"]'), 3000, "echo");
    assert.equal(engine.failure, null);
    return { packets: io.transcript() };
  }),
];

// ---------------------------------------------------------------------------

const CERTS = testCerts();
for (const tls of [null, CERTS]) {
  for (const target of ORDERED_TARGETS) {
    const over = tls ? " over TLS" : "";
    describe(`socket.io-client-swift replay${over} [${target.name}]`, { skip: skipReason(target) }, () => {
      const server = serversFor(target, tls);
      for (const c of CASES) {
        test(c.name, T, async (t) => {
          const s = await server(c.group);
          const got = await c.run({ server: s, t, target });
          if (!c.compare || got === undefined) return;
          const key = `${over}${c.name}`;
          if (target.name === "node") {
            REFERENCE.set(key, got);
            return;
          }
          if (!REFERENCE.has(key)) {
            t.diagnostic("no node transcript to compare with (node case failed or skipped)");
            return;
          }
          assert.deepEqual(got, REFERENCE.get(key), `${target.name} differs from the node twin`);
        });
      }
    });
  }
}
