import type { RefusalReason } from "@atelier/shared/wire/protocol";

/**
 * The one answer every change to a board gets, whoever asked (a phone, a
 * facilitator's request, a screen): done, with a value, or refused with a
 * reason the phone protocol and the HTTP API both know how to say.
 */
export type Refusal = { ok: false; reason: RefusalReason; retryAfterMs?: number };
export type Result<T = void> = { ok: true; value: T } | Refusal;

export function refuse(reason: RefusalReason, retryAfterMs?: number): Refusal {
  return retryAfterMs === undefined ? { ok: false, reason } : { ok: false, reason, retryAfterMs };
}

export function accept<T>(value: T): Result<T> {
  return { ok: true, value };
}
