import { h } from "../dom.ts";
import { lang, setLang, t } from "../i18n/index.ts";

/** The header every plain page shares: a title and the language switch. */
export function pageHeader(title: string): HTMLElement {
  const other = lang() === "fr" ? "en" : "fr";
  return h(
    "header",
    { class: "top" },
    h("h1", {}, title),
    h(
      "button",
      {
        type: "button",
        class: "lang",
        lang: other,
        "aria-label": t("lang.switchLabel"),
        onclick: () => setLang(other),
      },
      t("lang.switch"),
    ),
  );
}
