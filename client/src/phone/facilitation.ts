import type { PhoneBoardView, VoteBallot } from "@atelier/shared/protocol";
import { h } from "../dom.ts";
import { t } from "../i18n/index.ts";

/** mm:ss left on the relay's clock, given this device's offset to it. */
export function remaining(board: PhoneBoardView, clockOffsetMs: number, now = Date.now()): number {
  const { endsAt, remainingMs } = board.timer;
  return endsAt === null ? remainingMs : Math.max(0, endsAt - (now + clockOffsetMs));
}

export function formatDuration(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
}

export function timerText(board: PhoneBoardView, clockOffsetMs: number): string | null {
  if (board.timer.endsAt === null && board.timer.remainingMs === 0) return null;
  return t("phone.timer", { time: formatDuration(remaining(board, clockOffsetMs)) });
}

/** The ballot: each target with this participant's dots, and buttons to add or take one back. */
export function buildVote(
  board: PhoneBoardView,
  ballot: VoteBallot,
  onVote: (target: string, delta: 1 | -1) => void,
): HTMLElement {
  const spent = Object.values(ballot.mine).reduce((a, b) => a + b, 0);
  const left = Math.max(0, board.vote.dots - spent);
  return h(
    "section",
    { class: "vote", "aria-labelledby": "vote-title" },
    h("h2", { id: "vote-title" }, t("phone.vote")),
    h("p", { role: "status", "data-testid": "dots-left" }, t("phone.dotsLeft", { count: left, dots: board.vote.dots })),
    h(
      "ul",
      {},
      ...ballot.targets.map((target) => {
        const mine = ballot.mine[target.id] ?? 0;
        return h(
          "li",
          { class: "vote-target", "data-target": target.id },
          h("span", { class: "note-text" }, target.label),
          h("span", { class: "dots", "aria-label": t("phone.myDots", { count: mine }) }, "●".repeat(mine)),
          h(
            "div",
            { class: "actions" },
            h(
              "button",
              {
                type: "button",
                disabled: left === 0,
                "aria-label": t("phone.addDot", { label: target.label }),
                onclick: () => onVote(target.id, 1),
              },
              "+",
            ),
            h(
              "button",
              {
                type: "button",
                disabled: mine === 0,
                "aria-label": t("phone.removeDot", { label: target.label }),
                onclick: () => onVote(target.id, -1),
              },
              "−",
            ),
          ),
        );
      }),
    ),
  );
}
