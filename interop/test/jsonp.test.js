// JSONP polling (`j=<n>` in the query): responses are `___eio[n]("<payload as
// a JS string>");`, POST bodies are forms with the payload in `d`.
import { request, eioPath } from "../lib/raw.js";
import { compareCases, obs, handshakeShape } from "../lib/compare.js";

const path = (query) => eioPath({ transport: "polling", ...query });

/** JSONP handshake; resolves with {sid, res}. */
async function jsonpHandshake(s, eio, j = "0") {
  const res = await request(s, { path: path({ EIO: eio, j }) });
  const shape = handshakeShape(res);
  const sid = /\\"sid\\":\\"([\w-]+)\\"/.exec(res.text)?.[1];
  if (!sid) throw new Error(`JSONP handshake: ${res.status} ${res.text}`);
  return { sid, res, shape };
}

/** POSTs payload `d` as a form, then GETs the echo; observations of both. */
function roundTrip(eio, d) {
  return async (s) => {
    const { sid } = await jsonpHandshake(s, eio);
    const res = await request(s, {
      method: "POST",
      path: path({ EIO: eio, j: "0", sid }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `d=${encodeURIComponent(d)}`,
    });
    const got = await request(s, { path: path({ EIO: eio, j: "0", sid }) });
    return { post: obs(res), get: obs(got) };
  };
}

const OK = { status: 200, contentType: "text/html", text: "ok" };
const js = (j, payload) => ({
  status: 200,
  contentType: "text/plain",
  text: `___eio[${j}](${JSON.stringify(payload).replace(/\u2028/g, "\\u2028")});`,
});

const SHAPE = {
  status: 200,
  contentType: "text/plain",
  jsonp: "0",
  lengthPrefixOk: null,
  sid: "<20 chars>",
  upgrades: ["websocket"],
  pingInterval: 300,
  pingTimeout: 200,
  maxPayload: 1_000_000,
};

compareCases("JSONP polling, node twin vs cpp", [
  {
    name: "handshake, j=0",
    run: async (s) => (await jsonpHandshake(s, "4")).shape,
    expect: SHAPE,
  },
  {
    name: "handshake, j=a1b2 (digits kept: ___eio[12])",
    run: async (s) => (await jsonpHandshake(s, "4", "a1b2")).shape,
    expect: { ...SHAPE, jsonp: "12" },
  },
  {
    name: "handshake, v3 (--eio3): length-prefixed payload inside",
    eio3: true,
    run: async (s) => (await jsonpHandshake(s, "3")).shape,
    expect: { ...SHAPE, lengthPrefixOk: true },
  },
  {
    name: "form POST d=..., echo comes back as JS",
    run: roundTrip("4", "4héllo €𝄞 \"quoted\""),
    expect: { post: OK, get: js(0, "4héllo €𝄞 \"quoted\"") },
  },
  {
    name: "two packets in one form POST",
    run: roundTrip("4", "4one\x1e4two"),
    expect: { post: OK, get: js(0, "4one\x1e4two") },
  },
  {
    name: "escaped newline (backslash n) in the form becomes a newline",
    run: roundTrip("4", "4a\\nb"),
    expect: { post: OK, get: js(0, "4a\nb") },
  },
  {
    name: "U+2028 is escaped in the JS answer",
    run: roundTrip("4", "4a\u2028b"),
    expect: { post: OK, get: js(0, "4a\u2028b") },
  },
  {
    name: "v3 (--eio3) form POST with length-prefixed packets",
    eio3: true,
    run: roundTrip("3", "8:4h\u00e9llo\u{1d11e}4:4two"),
    expect: { post: OK, get: js(0, "8:4h\u00e9llo\u{1d11e}4:4two") },
  },
]);
