import { isJoinCode, JOIN_CODE_LENGTH, normalizeJoinCode } from "@atelier/shared/wire/limits";
import { h, clear } from "../dom.ts";
import { lang, onLangChange, t } from "../i18n/index.ts";
import { pageHeader } from "./chrome.ts";
import "../styles/base.css";

const root = document.getElementById("app")!;

function render(): void {
  clear(root);
  document.documentElement.lang = lang();
  const error = h("p", { id: "code-error", class: "banner error", role: "alert", hidden: true });
  const input = h("input", {
    id: "code",
    type: "text",
    class: "code-input",
    inputmode: "text",
    autocomplete: "off",
    autocapitalize: "characters",
    maxlength: JOIN_CODE_LENGTH + 4,
    "aria-describedby": "code-error",
    required: true,
  });
  const form = h(
    "form",
    {
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const code = normalizeJoinCode(input.value);
        const fail = (key: "home.badCode" | "home.unknownCode") => {
          error.textContent = t(key);
          error.hidden = false;
          input.setAttribute("aria-invalid", "true");
          input.focus();
        };
        if (!isJoinCode(code)) return fail("home.badCode");
        const res = await fetch(`/api/join/${code}`);
        if (!res.ok) return fail("home.unknownCode");
        location.assign(`/j/${code}`);
      },
    },
    h("label", { class: "field", for: "code" }, t("home.codeLabel")),
    input,
    error,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("home.join"))),
  );
  root.append(
    pageHeader(t("home.title")),
    h(
      "main",
      {},
      form,
      h("p", {}, h("a", { href: "/new" }, t("home.create"))),
      h("p", {}, h("a", { href: "/admin" }, t("home.admin"))),
    ),
  );
}

onLangChange(render);
render();
