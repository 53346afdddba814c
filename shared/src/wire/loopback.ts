/**
 * Whether a host name or a peer address is this computer itself: the relay
 * lets its own computer create boards without the admin secret, and tldraw
 * runs without a licence key on such hosts. One test for both, so that the
 * relay and the pages never disagree.
 */
export function isLoopback(hostOrAddress: string | undefined): boolean {
  if (!hostOrAddress) return false;
  const host = hostOrAddress.replace(/^\[|\]$/g, "").toLowerCase();
  // Literal addresses only: a name such as 127.evil.example may resolve anywhere.
  return host === "localhost" || host === "::1" || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(host);
}
