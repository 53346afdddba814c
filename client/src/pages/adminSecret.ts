/**
 * The organiser's secret as the pages hold it: for this tab only
 * (sessionStorage), never in a URL. The relay hands it to a page opened on
 * its own computer (`GET /api/admin/local`, BOARD_CREATION=local-or-secret);
 * elsewhere the organiser types it once.
 */
export const ADMIN_SECRET_KEY = "atelier:admin-secret";

export async function knownAdminSecret(): Promise<string | null> {
  const local = await fetch("/api/admin/local").catch(() => null);
  if (local?.ok) {
    const { adminSecret } = (await local.json()) as { adminSecret: string };
    rememberAdminSecret(adminSecret);
    return adminSecret;
  }
  return sessionStorage.getItem(ADMIN_SECRET_KEY);
}

export function rememberAdminSecret(secret: string): void {
  sessionStorage.setItem(ADMIN_SECRET_KEY, secret);
}

export function forgetAdminSecret(): void {
  sessionStorage.removeItem(ADMIN_SECRET_KEY);
}

/** Fetch with the admin secret; a 401 means it is wrong (or was rotated). */
export async function adminFetch(secret: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(path, {
    ...init,
    headers: {
      Authorization: `Bearer ${secret}`,
      ...(init.body ? { "Content-Type": "application/json" } : {}),
      ...(init.headers ?? {}),
    },
  });
}
