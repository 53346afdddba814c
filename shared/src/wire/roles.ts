/** The four capability links of a board. */
export const ROLES = ["facilitator", "projector", "participant", "coordinator"] as const;
export type Role = (typeof ROLES)[number];

/** Roles that sync a board's Yjs documents (board screens). */
export type ScreenRole = Exclude<Role, "participant">;

export function canWriteCanvas(role: Role): boolean {
  return role === "facilitator";
}

/** Roles that may see notes the room must not see (pending or hidden). */
export function canSeeInbox(role: Role): boolean {
  return role === "facilitator";
}

/** Awareness (cursors, camera) is only exchanged between live board screens. */
export function canSendAwareness(role: Role): boolean {
  return role === "facilitator" || role === "projector";
}
