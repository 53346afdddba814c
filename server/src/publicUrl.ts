import { networkInterfaces } from "node:os";
import { isLoopback } from "@atelier/shared/wire/loopback";

/** The first LAN address, so that the printed links work from phones. */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i && i.family === "IPv4" && !i.internal)
    .map((i) => i!.address);
}

/**
 * Where handed-out links point when `PUBLIC_URL` is unset: the address the
 * relay actually listens on. Listening on every interface, the first LAN
 * address; on loopback only, loopback (phones on the LAN cannot reach it,
 * and the start-up message says so).
 */
export function defaultPublicUrl(host: string, port: number): { url: string; lanReachable: boolean } {
  const wildcard = host === "0.0.0.0" || host === "::" || host === "";
  if (wildcard) {
    const lan = lanAddresses()[0];
    return lan
      ? { url: `http://${lan}:${port}`, lanReachable: true }
      : { url: `http://127.0.0.1:${port}`, lanReachable: false };
  }
  if (isLoopback(host))
    return {
      url: `http://${host === "localhost" ? "localhost" : host.includes(":") ? `[${host}]` : host}:${port}`,
      lanReachable: false,
    };
  return { url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, lanReachable: true };
}
