import type { BoardSettings } from "@atelier/shared/document/docLayout";
import type { PhoneBoardView } from "@atelier/shared/wire/protocol";

/**
 * What a phone is told about the board, field by field. An allow-list: a
 * setting added to the document for the screens (say, what the projector
 * shows) reaches no phone until it is named here.
 */
export function phoneView(settings: BoardSettings): PhoneBoardView {
  const { title, date, prompts, categories, submissions, moderation, phase, timer, vote } = settings;
  return { title, date, prompts, categories, submissions, moderation, phase, timer, vote };
}
