import QRCode from "qrcode";
import type { BoardLinks, CreateBoardResponse } from "@atelier/shared/wire/boardSchemas";
import { h, clear } from "../dom.ts";
import { ACTION_MAP_DEFAULTS } from "@atelier/shared/document/templates";
import { lang, onLangChange, t } from "../i18n/index.ts";
import { pageHeader } from "./chrome.ts";
import { adminFetch, knownAdminSecret } from "./adminSecret.ts";
import type { AdminBoard, AdminBoardsResponse } from "@atelier/shared/wire/adminSchemas";
import "../styles/base.css";

const root = document.getElementById("app")!;
let created: CreateBoardResponse | null = null;
let needsSecret = false;
let errorText = "";
/** The organiser's secret when this tab has it: it lists earlier days to start from. */
let adminSecret: string | null = null;
let earlierDays: AdminBoard[] = [];
const preselected = new URLSearchParams(location.hash.slice(1)).get("from") ?? "";

const lines = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

function field(label: string, control: HTMLElement, id: string): HTMLElement {
  control.id = id;
  return h("div", {}, h("label", { class: "field", for: id }, label), control);
}

function renderForm(main: HTMLElement): void {
  const title = h("input", {
    type: "text",
    name: "title",
    required: true,
    maxlength: 120,
    value: t("new.boardTitleDefault"),
  });
  const date = h("input", { type: "date", name: "date", required: true, value: new Date().toISOString().slice(0, 10) });
  const prompts = h("textarea", { name: "prompts", rows: 4, required: true });
  prompts.value = t("new.promptsDefault");
  const categories = h("textarea", { name: "categories", rows: 5 });
  categories.value = t("new.categoriesDefault");
  const controlled = h("input", { type: "checkbox", name: "controlled" });
  const language = h(
    "select",
    { name: "language" },
    h("option", { value: "fr", selected: lang() === "fr" }, "Français"),
    h("option", { value: "en", selected: lang() === "en" }, "English"),
  );
  // Starting from an earlier day, what is left untouched is that day's (moderation, language).
  const touched = { controlled: false, language: false };
  controlled.addEventListener("change", () => (touched.controlled = true));
  language.addEventListener("change", () => (touched.language = true));
  const template = h(
    "select",
    {
      name: "template",
      onchange: () => {
        // The action map asks for audiences and types of action instead of prompts and categories.
        const actions = template.value === "actions";
        prompts.value = actions ? ACTION_MAP_DEFAULTS.actionTypes.join("\n") : t("new.promptsDefault");
        categories.value = actions ? ACTION_MAP_DEFAULTS.audiences.join("\n") : t("new.categoriesDefault");
        document.querySelector('label[for="prompts"]')!.textContent = actions ? t("new.actionTypes") : t("new.prompts");
        document.querySelector('label[for="categories"]')!.textContent = actions
          ? t("new.audiences")
          : t("new.categories");
      },
    },
    ...(["blank", "bilan", "actions"] as const).map((value) => h("option", { value }, t(`new.template.${value}`))),
  );
  const secret = h("input", { type: "password", name: "secret", autocomplete: "off" });
  const fromThemes = h("input", { type: "checkbox", name: "fromThemes", checked: true });
  const onEarlier = () => {
    // What is left empty is taken from the earlier day by the relay.
    const chosen = from.value !== "";
    prompts.required = !chosen;
    prompts.placeholder = categories.placeholder = chosen ? t("new.fromPlaceholder") : "";
    if (chosen) prompts.value = categories.value = "";
    else {
      prompts.value = t("new.promptsDefault");
      categories.value = t("new.categoriesDefault");
    }
    template.disabled = chosen;
  };
  const from = h(
    "select",
    { name: "from", onchange: onEarlier },
    h("option", { value: "" }, t("new.fromNone")),
    ...[...earlierDays]
      .sort((a, b) => b.date.localeCompare(a.date))
      .map((b) => h("option", { value: b.boardId, selected: b.boardId === preselected }, `${b.date} · ${b.title}`)),
  );
  const submit = h("button", { type: "submit", class: "primary" }, t("new.submit"));
  const error = h("p", { class: "banner error", role: "alert", hidden: !errorText }, errorText);

  main.append(
    h(
      "form",
      {
        onsubmit: async (e: Event) => {
          e.preventDefault();
          submit.disabled = true;
          submit.textContent = t("new.creating");
          const res = await fetch("/api/boards", {
            method: "POST",
            headers: {
              "Content-Type": "application/json",
              ...(secret.value || adminSecret ? { Authorization: `Bearer ${secret.value || adminSecret}` } : {}),
            },
            body: JSON.stringify({
              title: title.value,
              date: date.value,
              prompts: lines(prompts.value),
              categories: lines(categories.value),
              ...(!from.value || touched.controlled ? { moderation: controlled.checked ? "controlled" : "open" } : {}),
              template: template.value,
              // The language the relay writes this board's debrief in.
              ...(!from.value || touched.language ? { language: language.value } : {}),
              ...(from.value ? { from: { boardId: from.value, themes: fromThemes.checked } } : {}),
            }),
          }).catch(() => null);
          if (res?.status === 201) {
            created = (await res.json()) as CreateBoardResponse;
            errorText = "";
          } else {
            const body = (await res?.json().catch(() => null)) as { error?: string } | null;
            errorText = t("new.error", { detail: body?.error ?? String(res?.status ?? "network") });
            if (body?.error === "admin_secret_required") needsSecret = true;
          }
          render();
        },
      },
      earlierDays.length > 0
        ? h(
            "fieldset",
            { class: "choices" },
            h("legend", {}, t("new.fromEarlier")),
            from,
            h("label", { class: "choice" }, fromThemes, h("span", {}, t("new.fromThemes"))),
            h("p", { class: "muted" }, t("new.fromHelp")),
          )
        : null,
      field(t("new.boardTitle"), title, "title"),
      field(t("new.date"), date, "date"),
      field(t("new.template"), template, "template"),
      field(t("new.prompts"), prompts, "prompts"),
      field(t("new.categories"), categories, "categories"),
      field(t("new.language"), language, "language"),
      h("label", { class: "choice" }, controlled, h("span", {}, t("new.controlled"))),
      needsSecret ? h("p", { class: "banner info" }, t("new.adminSecretHint")) : null,
      needsSecret ? field(t("new.adminSecret"), secret, "secret") : null,
      error,
      h("div", { class: "actions" }, submit),
    ),
  );
  if (from.value) onEarlier();
}

function renderLinks(main: HTMLElement, board: CreateBoardResponse): void {
  const roles: (keyof BoardLinks)[] = ["facilitator", "projector", "participant", "coordinator"];
  const qr = h("img", { class: "qr", alt: t("new.qrAlt", { code: board.joinCode }) });
  void QRCode.toDataURL(board.links.participant, { margin: 1, width: 384 }).then((url) => (qr.src = url));
  main.append(
    h("p", { class: "banner info", role: "status" }, t("new.created")),
    h(
      "ul",
      { class: "links" },
      ...roles.map((role) => {
        const copy = h("button", { type: "button" }, t("new.copy"));
        copy.addEventListener("click", () => {
          void navigator.clipboard?.writeText(board.links[role]).then(() => (copy.textContent = t("new.copied")));
        });
        return h(
          "li",
          { "data-role": role },
          h("strong", {}, t(`new.link.${role}`, { code: board.joinCode })),
          h("code", {}, h("a", { href: board.links[role] }, board.links[role])),
          role === "participant" ? qr : null,
          h("div", { class: "actions" }, copy),
        );
      }),
    ),
  );
}

function render(): void {
  clear(root);
  document.documentElement.lang = lang();
  const main = h("main", {});
  root.append(pageHeader(t("new.title")), main);
  if (created) renderLinks(main, created);
  else renderForm(main);
}

async function start(): Promise<void> {
  const server = (await (await fetch("/api/server")).json()) as { mayCreateBoards: boolean };
  adminSecret = await knownAdminSecret();
  needsSecret = !server.mayCreateBoards && !adminSecret;
  if (adminSecret) {
    const res = await adminFetch(adminSecret, "/api/admin/boards");
    if (res.ok) earlierDays = ((await res.json()) as AdminBoardsResponse).boards;
    else adminSecret = null;
  }
  render();
}

void start();
onLangChange(render);
render();
