import { LIMITS } from "@atelier/shared/wire/limits";
import type { PhoneBoardView } from "@atelier/shared/wire/protocol";
import { visibleLength } from "@atelier/shared/wire/text";
import { h } from "../dom.ts";
import { t, type MessageKey } from "../i18n/index.ts";
import type { LocalNote } from "./outbox.ts";
import type { ConnectionStatus } from "./connection.ts";

/** The values of the note form, kept by the controller across re-renders. */
export interface DraftValues {
  text: string;
  prompt: string;
  category: string;
  author: string;
  editing: string | null;
}

export interface FormHandlers {
  onInput(values: Partial<DraftValues>): void;
  onSubmit(): void;
  onCancelEdit(): void;
}

export function statusText(status: ConnectionStatus): string {
  if (status === "online") return t("phone.online");
  if (status === "offline") return t("phone.offline");
  return t("phone.connecting");
}

export function counterText(text: string): string {
  return t("phone.counter", { count: visibleLength(text), max: LIMITS.noteTextMax });
}

export function buildForm(board: PhoneBoardView, draft: DraftValues, handlers: FormHandlers): HTMLFormElement {
  const locked = board.submissions === "locked";
  const counter = h("p", { id: "note-counter", class: "counter", "aria-live": "polite" }, counterText(draft.text));
  const send = h(
    "button",
    { type: "submit", class: "primary", disabled: locked },
    draft.editing ? t("phone.save") : t("phone.send"),
  );
  const textarea = h("textarea", {
    id: "note-text",
    name: "text",
    rows: 4,
    required: true,
    "aria-describedby": "note-counter",
    oninput: (e: Event) => {
      const text = (e.target as HTMLTextAreaElement).value;
      counter.textContent = counterText(text);
      const over = visibleLength(text) > LIMITS.noteTextMax;
      counter.classList.toggle("over", over);
      textarea.setAttribute("aria-invalid", String(over));
      handlers.onInput({ text });
    },
  });
  textarea.value = draft.text;

  const prompts =
    board.prompts.length > 0
      ? h(
          "fieldset",
          { class: "choices" },
          h("legend", {}, t("phone.prompt")),
          ...board.prompts.map((p) =>
            h(
              "label",
              { class: "choice" },
              h("input", {
                type: "radio",
                name: "prompt",
                value: p.id,
                checked: p.id === draft.prompt,
                onchange: () => handlers.onInput({ prompt: p.id }),
              }),
              h("span", {}, p.label),
            ),
          ),
        )
      : null;

  const categories =
    board.categories.length > 0
      ? h(
          "label",
          { class: "field" },
          h("span", {}, t("phone.category")),
          h(
            "select",
            {
              name: "category",
              onchange: (e: Event) => handlers.onInput({ category: (e.target as HTMLSelectElement).value }),
            },
            h("option", { value: "", selected: draft.category === "" }, t("phone.categoryNone")),
            ...board.categories.map((c) => h("option", { value: c.id, selected: c.id === draft.category }, c.label)),
          ),
        )
      : null;

  const author = h("input", {
    name: "author",
    type: "text",
    autocomplete: "given-name",
    maxlength: LIMITS.authorMax,
    oninput: (e: Event) => handlers.onInput({ author: (e.target as HTMLInputElement).value }),
  });
  author.value = draft.author;

  return h(
    "form",
    {
      class: "note-form",
      "aria-labelledby": "write-title",
      onsubmit: (e: Event) => {
        e.preventDefault();
        handlers.onSubmit();
      },
    },
    h("h2", { id: "write-title" }, t("phone.write")),
    prompts,
    categories,
    h("label", { class: "field", for: "note-text" }, h("span", {}, t("phone.text"))),
    textarea,
    counter,
    h("label", { class: "field" }, h("span", {}, t("phone.author")), author),
    h(
      "div",
      { class: "actions" },
      send,
      draft.editing ? h("button", { type: "button", onclick: () => handlers.onCancelEdit() }, t("phone.cancel")) : null,
    ),
  );
}

export interface NoteHandlers {
  onEdit(note: LocalNote): void;
  onWithdraw(note: LocalNote): void;
}

function stateText(note: LocalNote): string {
  if (note.state === "refused") {
    return t("phone.state.refused", { reason: t(`refusal.${note.reason ?? "bad_message"}` as MessageKey) });
  }
  return t(`phone.state.${note.state}` as MessageKey);
}

export function buildNotes(board: PhoneBoardView, notes: readonly LocalNote[], handlers: NoteHandlers): HTMLElement {
  const visible = notes.filter((n) => n.state !== "withdrawn");
  const locked = board.submissions === "locked";
  const promptLabel = (id: string) => board.prompts.find((p) => p.id === id)?.label ?? "";
  return h(
    "section",
    { class: "my-notes", "aria-labelledby": "my-notes-title" },
    h("h2", { id: "my-notes-title" }, t("phone.myNotes")),
    visible.length === 0
      ? h("p", { class: "empty" }, t("phone.noNotes"))
      : h(
          "ul",
          {},
          ...visible.map((note) =>
            h(
              "li",
              { class: `note state-${note.state}`, "data-note-id": note.id },
              h("p", { class: "note-text" }, note.text),
              h(
                "p",
                { class: "note-meta" },
                [promptLabel(note.prompt), note.author || t("phone.anonymous")].filter(Boolean).join(" · "),
              ),
              h("p", { class: "note-state" }, stateText(note)),
              !locked && note.state !== "refused"
                ? h(
                    "div",
                    { class: "actions" },
                    h("button", { type: "button", onclick: () => handlers.onEdit(note) }, t("phone.edit")),
                    h(
                      "button",
                      { type: "button", class: "danger", onclick: () => handlers.onWithdraw(note) },
                      t("phone.withdraw"),
                    ),
                  )
                : null,
            ),
          ),
        ),
  );
}
