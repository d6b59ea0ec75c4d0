// node:test glue: run a suite once per target, with its server started in
// before() and stopped in after().
import { describe, before, after } from "node:test";
import { TARGETS, startServer, unavailable } from "./server.js";

/** Skip reason for `target` (string) or false. Throws under SIO_REQUIRE_CPP=1. */
export function skipReason(target) {
  try {
    return unavailable(target) ?? false;
  } catch {
    return false; // not skipped: the server start fails and so does every test
  }
}

/**
 * Registers before/after hooks in the current suite that run one server of
 * `target` with `args`. Returns a handle filled in once started
 * ({port, url, base, stop, target}); `handle.restart(args)` is available too.
 */
export function useServer(target, args = []) {
  const handle = { target };
  before(async () => {
    Object.assign(handle, await startServer(target, args));
  });
  after(async () => {
    await handle.stop?.();
  });
  return handle;
}

/**
 * describe() once per target of `targets` (default: engineio_echo's cpp and
 * node): `body(server, target)` registers tests; the server is started with
 * `args` before them and stopped after.
 */
export function describeTargets(title, args, body, targets = TARGETS) {
  for (const target of targets) {
    describe(`${title} [${target.name}]`, { skip: skipReason(target) }, () => {
      body(useServer(target, args), target);
    });
  }
}
