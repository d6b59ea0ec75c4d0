// Messages shared by the echo tests.

export const TEXT = "hello world";
/** BMP + astral characters: UTF-16 length != code points != UTF-8 bytes. */
export const UNICODE = "héllo €𝄞 😀 てすと";
export const ASTRAL = "𝄞😀";

/** `n` bytes 0,1,...,255,0,1,... */
export function bytes(n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = i & 0xff;
  return b;
}

/** ASCII text of exactly `n` characters with a recognizable pattern. */
export function bigText(n) {
  const unit = "0123456789abcdefghijklmnopqrstuvwxyz";
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}

/** The i-th message of an ordered burst: every 5th one is binary. */
export function burstMessage(i) {
  return i % 5 === 4 ? Buffer.from([i & 0xff, (i >> 8) & 0xff, 0xfe]) : `msg-${i}`;
}

/**
 * Client transport variants. `opts` go to the client constructor; `upgrade`
 * says the test must see the polling -> websocket upgrade.
 */
export const VARIANTS = [
  { name: "polling", opts: { transports: ["polling"] }, final: "polling" },
  { name: "websocket", opts: { transports: ["websocket"] }, final: "websocket" },
  { name: "upgrade", opts: {}, final: "websocket", upgrade: true },
];
