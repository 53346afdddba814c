import type { BoardLanguage } from "@atelier/shared/document/docLayout";

/** The words of the debrief document, in the board's language. */
export interface DebriefLabels {
  subtitle: string;
  snapshot: (name: string, when: string) => string;
  liveState: (when: string) => string;
  kind: { named: string; auto: string; close: string };
  boardImage: string;
  noImage: string;
  imageAlt: (title: string) => string;
  tally: string;
  theme: string;
  notes: string;
  votes: string;
  outside: string;
  total: string;
  noCategory: string;
  chart: string;
  chartAlt: string;
  notesByTheme: string;
  noNotes: string;
  emptyTheme: string;
  anonymous: string;
  dots: (count: number) => string;
  voteResults: string;
  voteIntro: (target: "notes" | "themes", voters: number) => string;
  method: string;
  methodText: (participants: number, notes: number, themes: number) => string;
  moderation: { open: string; controlled: string };
  filename: string;
}

function plural(language: BoardLanguage, count: number, one: string, other: string): string {
  return `${count.toLocaleString(language)} ${new Intl.PluralRules(language).select(count) === "one" ? one : other}`;
}

const fr: DebriefLabels = {
  subtitle: "Bilan de la journée",
  snapshot: (name, when) => `Instantané « ${name} » du ${when}`,
  liveState: (when) => `État du tableau le ${when}`,
  kind: { named: "sans nom", auto: "sauvegarde automatique", close: "clôture de la journée" },
  boardImage: "Le tableau",
  noImage: "Aucune image du tableau n’a été enregistrée pour cet état (une image est prise à chaque instantané).",
  imageAlt: (title) => `Image du tableau « ${title} »`,
  tally: "Décompte des notes par thème",
  theme: "Thème",
  notes: "Notes",
  votes: "Votes",
  outside: "Hors thème",
  total: "Total",
  noCategory: "Sans catégorie",
  chart: "Notes par thème",
  chartAlt: "Graphique en barres du nombre de notes par thème",
  notesByTheme: "Les notes des participant·es, par thème",
  noNotes: "Aucune note n’a été publiée.",
  emptyTheme: "Aucune note dans ce thème.",
  anonymous: "anonyme",
  dots: (count) => plural("fr", count, "point", "points"),
  voteResults: "Résultats du vote",
  voteIntro: (target, voters) =>
    `${plural("fr", voters, "participant·e a", "participant·es ont")} voté sur ${target === "themes" ? "les thèmes" : "les notes"}. Points reçus par thème (ceux du thème et de ses notes) :`,
  method: "Méthode",
  methodText: (participants, notes, themes) =>
    `${plural("fr", participants, "participant·e a", "participant·es ont")} publié ${plural("fr", notes, "note", "notes")} depuis leur téléphone, regroupées par l’animation en ${plural("fr", themes, "thème", "thèmes")}.`,
  moderation: {
    open: "Modération ouverte : les notes s’affichaient dès leur envoi ; l’animation pouvait en masquer.",
    controlled: "Modération contrôlée : chaque note était validée par l’animation avant d’être affichée.",
  },
  filename: "bilan",
};

const en: DebriefLabels = {
  subtitle: "Debrief of the day",
  snapshot: (name, when) => `Snapshot “${name}” of ${when}`,
  liveState: (when) => `State of the board on ${when}`,
  kind: { named: "unnamed", auto: "automatic save", close: "close of the day" },
  boardImage: "The board",
  noImage: "No image of the board was stored for this state (one is taken with every snapshot).",
  imageAlt: (title) => `Image of the board “${title}”`,
  tally: "Notes per theme",
  theme: "Theme",
  notes: "Notes",
  votes: "Votes",
  outside: "Outside every theme",
  total: "Total",
  noCategory: "No category",
  chart: "Notes per theme",
  chartAlt: "Bar chart of the number of notes per theme",
  notesByTheme: "The participants’ notes, by theme",
  noNotes: "No note was published.",
  emptyTheme: "No note in this theme.",
  anonymous: "anonymous",
  dots: (count) => plural("en", count, "dot", "dots"),
  voteResults: "Vote results",
  voteIntro: (target, voters) =>
    `${plural("en", voters, "participant", "participants")} voted on the ${target}. Dots per theme (on the theme and its notes):`,
  method: "Method",
  methodText: (participants, notes, themes) =>
    `${plural("en", participants, "participant", "participants")} posted ${plural("en", notes, "note", "notes")} from their phones, grouped by the facilitator into ${plural("en", themes, "theme", "themes")}.`,
  moderation: {
    open: "Open moderation: notes were shown as soon as they were sent; the facilitator could hide them.",
    controlled: "Controlled moderation: the facilitator approved each note before it was shown.",
  },
  filename: "debrief",
};

export const DEBRIEF_LABELS: Record<BoardLanguage, DebriefLabels> = { fr, en };
