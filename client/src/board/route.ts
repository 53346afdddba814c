/** Which board page this is: the facilitator's (`/board/:id`) or the projector's (`/screen/:id`). */
export interface BoardRoute {
  role: "facilitator" | "projector";
  boardId: string;
  token: string;
}

export function parseBoardRoute(location: Pick<Location, "pathname" | "hash">): BoardRoute | null {
  const match = /^\/(board|screen)\/([a-z0-9]{1,32})\/?$/.exec(location.pathname);
  const token = new URLSearchParams(location.hash.slice(1)).get("key") ?? "";
  if (!match || !token) return null;
  return { role: match[1] === "board" ? "facilitator" : "projector", boardId: match[2]!, token };
}
