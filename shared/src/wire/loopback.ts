/**
 * Whether a host name or a peer address is this computer itself: the relay
 * lets its own computer create boards without the admin secret, and tldraw
 * runs without a licence key on such hosts. One test for both, so that the
 * relay and the pages never disagree.
 */
export function isLoopback(hostOrAddress: string | undefined): boolean {
  if (!hostOrAddress) return false;
  const host = hostOrAddress.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || host.startsWith("127.") || host.startsWith("::ffff:127.");
}
