/** The request target as a URL, or null when it cannot be one (e.g. `//[`): never a throw. */
export function parseRequestUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? "/", "http://relay.invalid");
  } catch {
    return null;
  }
}
