import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { CLIENT_HEADER, RELAY_HEADER, clientAddress, fromRelay } from "./forwarding.ts";

function request(headers: Record<string, string>, remoteAddress = "192.0.2.7"): IncomingMessage {
  return { headers, socket: { remoteAddress } } as unknown as IncomingMessage;
}

describe("[D7] what a relay believes of a forwarded request", () => {
  const secret = "a".repeat(64);

  it("trusts the client address another relay passes on only with the cluster's secret", () => {
    const forwarded = request({ [RELAY_HEADER]: secret, [CLIENT_HEADER]: "198.51.100.4" });
    expect(fromRelay(forwarded, secret)).toBe(true);
    expect(clientAddress(forwarded, secret)).toBe("198.51.100.4");
  });

  it("ignores a claimed client address with a wrong, missing or unconfigured secret", () => {
    for (const headers of <Record<string, string>[]>[
      { [RELAY_HEADER]: "b".repeat(64), [CLIENT_HEADER]: "198.51.100.4" },
      { [RELAY_HEADER]: secret.slice(1), [CLIENT_HEADER]: "198.51.100.4" },
      { [CLIENT_HEADER]: "198.51.100.4" },
    ]) {
      expect(fromRelay(request(headers), secret)).toBe(false);
      expect(clientAddress(request(headers), secret)).toBe("192.0.2.7");
    }
    // One relay (SQLite) has no secret: nothing is ever "from a relay".
    expect(fromRelay(request({ [RELAY_HEADER]: "" }), null)).toBe(false);
  });
});
