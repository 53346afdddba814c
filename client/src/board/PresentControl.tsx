import { useEffect, useState } from "react";
import type { Awareness } from "y-protocols/awareness";
import type { Presenting } from "@atelier/shared/document/docLayout";
import { t } from "../i18n/index.ts";
import { nameOfScreen } from "./presence.ts";

/**
 * One control for what the room's screen shows: the whole board, what this
 * screen sees, or the selected theme. The choice is a board setting, so it
 * survives reloads and applies to every projector.
 */
export function PresentControl(props: {
  presenting: Presenting;
  myScreenId: string;
  awareness: Awareness;
  /** The frame selected on this screen, if exactly one theme is selected. */
  selectedTheme: string | null;
  themeName(frameId: string): string | undefined;
  choose(next: Presenting): void;
  /** Why the last choice was not saved, if it was not. */
  error: string | null;
  name: string;
  setName(name: string): void;
}) {
  const { presenting, myScreenId } = props;
  const [, setTick] = useState(0);
  // Whose name is shown depends on awareness (the presenter's screen may leave).
  useEffect(() => {
    const bump = () => setTick((n) => n + 1);
    props.awareness.on("change", bump);
    return () => props.awareness.off("change", bump);
  }, [props.awareness]);
  const mine = presenting.mode !== "board" && presenting.screen === myScreenId;
  const status = (() => {
    switch (presenting.mode) {
      case "board":
        return t("present.statusBoard");
      case "theme":
        return t(mine ? "present.statusThemeMine" : "present.statusTheme", {
          name: props.themeName(presenting.frame) ?? "?",
        });
      case "screen":
        return mine
          ? t("present.statusMine")
          : t("present.statusOther", { name: nameOfScreen(props.awareness, presenting.screen) ?? t("present.gone") });
    }
  })();
  return (
    <fieldset className="panel-present">
      <legend>{t("present.title")}</legend>
      <div className="present-choices">
        <button
          type="button"
          aria-pressed={presenting.mode === "board"}
          onClick={() => props.choose({ mode: "board" })}
        >
          {t("present.board")}
        </button>
        <button
          type="button"
          aria-pressed={mine && presenting.mode === "screen"}
          onClick={() => props.choose({ mode: "screen", screen: myScreenId })}
        >
          {t("present.mine")}
        </button>
        <button
          type="button"
          aria-pressed={presenting.mode === "theme" && presenting.frame === props.selectedTheme}
          disabled={!props.selectedTheme}
          title={props.selectedTheme ? undefined : t("present.themeHint")}
          onClick={() =>
            props.selectedTheme && props.choose({ mode: "theme", frame: props.selectedTheme, screen: myScreenId })
          }
        >
          {t("present.theme")}
        </button>
      </div>
      <p role="status" className={mine ? "present-status mine" : "present-status"} data-testid="present-status">
        {status}
      </p>
      {props.error ? (
        <p role="alert" className="error">
          {props.error}
        </p>
      ) : null}
      <label htmlFor="screen-name">{t("present.nameLabel")}</label>
      <input
        id="screen-name"
        maxLength={40}
        value={props.name}
        placeholder={t("present.namePlaceholder")}
        onChange={(e) => props.setName(e.target.value)}
      />
    </fieldset>
  );
}
