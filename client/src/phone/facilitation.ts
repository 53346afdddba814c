import type { PhoneBoardView, VoteBallot } from "@atelier/shared/wire/protocol";
import { formatCountdown, timerIsSet, timerRemainingMs } from "@atelier/shared/derived/timer";
import { h } from "../dom.ts";
import { t } from "../i18n/index.ts";

export function timerText(board: PhoneBoardView, clockOffsetMs: number): string | null {
  if (!timerIsSet(board.timer)) return null;
  return t("phone.timer", { time: formatCountdown(timerRemainingMs(board.timer, clockOffsetMs)) });
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
