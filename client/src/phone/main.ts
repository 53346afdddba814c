import { nanoid } from "nanoid";
import { CloseCode } from "@atelier/shared/wire/closeCodes";
import { LIMITS, normalizeJoinCode } from "@atelier/shared/wire/limits";
import {
  phaseAllows,
  RefusalReason,
  type PhoneBoardView,
  type PhoneServerMessage,
  type VoteBallot,
} from "@atelier/shared/wire/protocol";
import { cleanText, visibleLength } from "@atelier/shared/wire/text";
import { h, clear } from "../dom.ts";
import { lang, onLangChange, setLang, t } from "../i18n/index.ts";
import { backoffDelay } from "../backoff.ts";
import { Outbox, type LocalNote, type PendingOp } from "./outbox.ts";
import { PhoneConnection, type ConnectionStatus } from "./connection.ts";
import { buildForm, buildNotes, statusText, type DraftValues } from "./view.ts";
import { keepPageForOffline } from "./offlineShell.ts";
import { buildVote, timerText } from "./facilitation.ts";
import "../styles/base.css";

/** Refusals that a later retry can overcome; every other one is final. */
const TRANSIENT: ReadonlySet<string> = new Set([
  RefusalReason.RateLimited,
  RefusalReason.StorageUnavailable,
  RefusalReason.NotHello,
]);

const joinCode = normalizeJoinCode(location.pathname.split("/")[2] ?? "");
const key = (name: string) => `atelier:${joinCode}:${name}`;

function remembered(name: string, make: () => string): string {
  let value = localStorage.getItem(name);
  if (!value) {
    value = make();
    localStorage.setItem(name, value);
  }
  return value;
}

// Anonymous: a random secret per device and board, only its hash reaches the relay's disk.
const participant = remembered(key("participant"), () => nanoid());
const outbox = new Outbox(localStorage, key("outbox"));
const draft: DraftValues = {
  text: "",
  prompt: "",
  category: "",
  author: localStorage.getItem("atelier:author") ?? "",
  editing: null,
};
// The last board seen, so a page reloaded offline can still take notes.
let board: PhoneBoardView | null = readSavedBoard();
if (board && !draft.prompt) draft.prompt = board.prompts[0]?.id ?? "";
let status: ConnectionStatus = "connecting";
let finalClose: number | null = null;
let inFlight: PendingOp | null = null;
let retryTimer: number | undefined;
let retries = 0;
let announcement = "";
let ballot: VoteBallot = { targets: [], mine: {} };
/** Relay clock minus this device's clock, for the countdown. */
let clockOffset = 0;
let done = false;

const root = document.getElementById("app")!;

const connection = new PhoneConnection(joinCode, participant, receive, (next, code) => {
  status = next;
  if (next !== "online") inFlight = null;
  if (next === "closed") finalClose = code ?? null;
  render();
});

function receive(message: PhoneServerMessage): void {
  switch (message.type) {
    case "welcome":
      setBoard(message.board);
      clockOffset = message.serverTime - Date.now();
      ballot = message.ballot;
      done = message.done;
      if (!draft.prompt) draft.prompt = message.board.prompts[0]?.id ?? "";
      outbox.merge(message.notes);
      render();
      flush();
      return;
    case "board":
      setBoard(message.board);
      clockOffset = message.serverTime - Date.now();
      ballot = message.ballot;
      render();
      return;
    case "voted":
      ballot = message.ballot;
      render();
      return;
    case "doneAck":
      done = true;
      announce(t("phone.doneSent"));
      render();
      return;
    case "noteState":
      outbox.merge([message.note]);
      renderNotes();
      return;
    case "ack":
      outbox.acknowledged(message.op, message.note);
      if (message.op === "submit") announce(t("phone.sent"));
      settle();
      return;
    case "refused":
      if (message.op === "vote" || message.op === "done") {
        announce(t(`refusal.${message.reason}`));
        return;
      }
      if (!message.id || !message.op) {
        // Not about a note (e.g. a garbage frame): nothing to retry.
        settle();
        return;
      }
      if (TRANSIENT.has(message.reason)) {
        inFlight = null;
        announce(t(`refusal.${message.reason}`));
        const wait = message.retryAfterMs ?? backoffDelay(retries++);
        window.clearTimeout(retryTimer);
        retryTimer = window.setTimeout(flush, wait);
        renderNotes();
        return;
      }
      if (message.op === "withdraw" && message.reason === RefusalReason.NoSuchNote) {
        outbox.acknowledged("withdraw", { ...noteOf(message.id), state: "withdrawn" });
      } else {
        outbox.refused(message.op, message.id, message.reason);
        announce(t("phone.state.refused", { reason: t(`refusal.${message.reason}`) }));
      }
      settle();
      return;
    case "pong":
      return; // the heartbeat, handled by the connection
    default: {
      const never: never = message;
      console.warn("unknown message", never);
    }
  }
}

function readSavedBoard(): PhoneBoardView | null {
  try {
    return JSON.parse(localStorage.getItem(key("board")) ?? "null") as PhoneBoardView | null;
  } catch {
    return null;
  }
}

function setBoard(next: PhoneBoardView): void {
  board = next;
  localStorage.setItem(key("board"), JSON.stringify(next));
}

function noteOf(id: string): LocalNote {
  return (
    outbox.notes.find((n) => n.id === id) ?? {
      id,
      text: "",
      prompt: "",
      category: "",
      author: "",
      createdAt: 0,
      state: "withdrawn",
    }
  );
}

function settle(): void {
  inFlight = null;
  retries = 0;
  renderNotes();
  flush();
}

/** Sends the oldest waiting operation; one at a time, so replies stay in order. */
function flush(): void {
  if (inFlight || status !== "online") return;
  const next = outbox.pending[0];
  if (!next) return;
  const message =
    next.op === "withdraw" ? { type: "withdraw" as const, id: next.draft.id } : { type: next.op, ...next.draft };
  if (connection.send(message)) inFlight = next;
}

function announce(text: string): void {
  announcement = text;
  const live = document.getElementById("announce");
  if (live) live.textContent = text;
}

function submit(): void {
  if (!board || board.submissions === "locked") return;
  const text = cleanText(draft.text);
  if (!text || visibleLength(text) > LIMITS.noteTextMax) {
    announce(t(text ? "refusal.text_too_long" : "refusal.empty_text"));
    document.getElementById("note-text")?.focus();
    return;
  }
  localStorage.setItem("atelier:author", draft.author);
  const note = {
    id: draft.editing ?? nanoid(),
    text,
    prompt: draft.prompt,
    category: draft.category,
    author: draft.author,
  };
  outbox.add({ op: draft.editing ? "edit" : "submit", draft: note });
  draft.text = "";
  draft.editing = null;
  if (status !== "online") announce(t("phone.queued"));
  render();
  flush();
  document.getElementById("note-text")?.focus();
}

function render(): void {
  clear(root);
  document.title = board ? `${board.title} · Atelier` : "Atelier";
  const header = h(
    "header",
    { class: "top" },
    h(
      "div",
      {},
      h("h1", {}, board?.title ?? t("app.name")),
      board?.date ? h("p", { class: "sub" }, formatDate(board.date)) : null,
    ),
    h(
      "button",
      {
        type: "button",
        class: "lang",
        lang: lang() === "fr" ? "en" : "fr",
        "aria-label": t("lang.switchLabel"),
        onclick: () => setLang(lang() === "fr" ? "en" : "fr"),
      },
      t("lang.switch"),
    ),
  );
  const main = h("main", { id: "main" });
  root.append(
    header,
    main,
    h("p", { id: "announce", class: "visually-hidden", role: "status", "aria-live": "polite" }, announcement),
  );

  if (finalClose !== null) {
    main.append(
      h(
        "p",
        { class: "banner error", role: "alert" },
        finalClose === CloseCode.UnknownBoard
          ? t("phone.unknownBoard", { code: joinCode })
          : finalClose === CloseCode.Unauthorized
            ? t("phone.codeChanged")
            : t("refusal.wrong_version"),
      ),
    );
    return;
  }
  const connecting = status === "connecting" && !board;
  main.append(
    h("p", { class: `status status-${status}`, role: "status" }, connecting ? t("phone.loading") : statusText(status)),
  );
  if (!board) return;
  main.append(
    h("p", { class: "phase" }, t("phone.phase", { phase: t(`phase.${board.phase}`) })),
    h("p", { id: "timer", class: "timer", role: "timer" }, timerText(board, clockOffset) ?? ""),
  );
  const mayPost = phaseAllows(board.phase, "post");
  if (board.submissions === "locked") main.append(h("p", { class: "banner locked", role: "alert" }, t("phone.locked")));
  else if (!mayPost) main.append(h("p", { class: "banner info", role: "status" }, t("phone.phaseNoPosting")));
  else if (board.moderation === "controlled") main.append(h("p", { class: "banner info" }, t("phone.controlled")));
  if (board.phase === "vote") {
    main.append(
      board.vote.open
        ? buildVote(
            board,
            ballot,
            (target, delta) => void connection.send({ type: "vote", id: nanoid(), target, delta }),
          )
        : h("p", { class: "banner info" }, t("phone.voteClosed")),
    );
  }
  if (!mayPost) {
    main.append(h("div", { id: "notes" }));
    renderNotes();
    const button = doneButton(board);
    if (button) main.append(button);
    return;
  }
  main.append(
    buildForm(board, draft, {
      onInput: (values) => Object.assign(draft, values),
      onSubmit: submit,
      onCancelEdit: () => {
        draft.editing = null;
        draft.text = "";
        render();
      },
    }),
    h("div", { id: "notes" }),
  );
  renderNotes();
  const button = doneButton(board);
  if (button) main.append(button);
}

/** "I'm done" closes the page, after the notes. */
function doneButton(current: PhoneBoardView): HTMLElement | null {
  if (!phaseAllows(current.phase, "done")) return null;
  return h(
    "div",
    { class: "actions done" },
    h(
      "button",
      {
        type: "button",
        disabled: done,
        "aria-pressed": done,
        onclick: () => void connection.send({ type: "done", id: nanoid() }),
      },
      t("phone.done"),
    ),
  );
}

function renderNotes(): void {
  const container = document.getElementById("notes");
  if (!container || !board) return;
  container.replaceChildren(
    buildNotes(board, outbox.notes, {
      onEdit: (note) => {
        Object.assign(draft, {
          text: note.text,
          prompt: note.prompt,
          category: note.category,
          author: note.author,
          editing: note.id,
        });
        render();
        document.getElementById("note-text")?.focus();
      },
      onWithdraw: (note) => {
        if (!confirm(t("phone.withdrawConfirm"))) return;
        outbox.add({ op: "withdraw", draft: { id: note.id } });
        renderNotes();
        flush();
      },
    }),
  );
}

function formatDate(iso: string): string {
  const date = new Date(`${iso}T12:00:00`);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleDateString(lang(), { dateStyle: "long" });
}

document.documentElement.lang = lang();
onLangChange(render);
render();
// The countdown moves every second without re-rendering the form being typed in.
setInterval(() => {
  const el = document.getElementById("timer");
  if (el && board) el.textContent = timerText(board, clockOffset) ?? "";
}, 1000);
addEventListener("load", () => void keepPageForOffline());
