import { findPhoneNumbersInText } from "libphonenumber-js/max";
import nameLists from "./name-lists-fr.json" with { type: "json" };

/**
 * Details in a note that could identify a person (notes here often concern
 * minors): people's names, phone numbers, e-mail addresses, street
 * addresses, social handles, class names, named schools and places. Found
 * on the relay with no network, as suggestions: `sure` flags hold a note
 * back from the room until the facilitator decides, `possible` ones are
 * only shown. Spans are string indices into the stored text (end excluded).
 *
 * Sources: phone numbers by libphonenumber-js (MIT), which ignores
 * helplines (119, 3919, 3018, 17); given names and frequent words from
 * @zxcvbn-ts/language-fr (MIT), extracted into `name-lists-fr.json` by
 * scripts/extract-name-lists.mjs; the rest are patterns written here.
 */
export const DETAIL_KINDS = ["person", "phone", "email", "address", "handle", "class", "school"] as const;
export type DetailKind = (typeof DETAIL_KINDS)[number];

export interface DetailFlag {
  kind: DetailKind;
  start: number;
  end: number;
  text: string;
  confidence: "sure" | "possible";
}

const fold = (s: string) =>
  s
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();

const MAX_SCANNED = 4_000;
const GIVEN_NAMES = new Set(nameLists.givenNames.map(fold));
/** The most frequent French words: a given name among them (« rose », « pierre ») needs more than itself. */
const COMMON = new Set(nameLists.commonWords.map(fold));
/** Words that follow a civility without being a name: « Mme la proviseure », « M. le maire ». */
const NOT_A_SURNAME = new Set(["la", "le", "les", "l", "de", "du", "des", "un", "une"]);

const NAME = "[A-ZÀ-Ý][a-zà-ÿ'’-]+";
const PARTICLE = "(?:de|du|des|de la|la|le|les|d'|d’|l'|l’)";
/** A proper name after a keyword: capitalised words, with particles between them. */
const PROPER = `${NAME}(?:[ -](?:${PARTICLE} ?)?${NAME})*`;

const PATTERNS: { kind: DetailKind; re: RegExp; group?: number }[] = [
  // The local part is bounded and starts after a non-address character: linear on long input.
  {
    kind: "email",
    re: /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){0,4}\.[a-z]{2,24}/giu,
  },
  // A French number libphonenumber-js leaves out when written with hyphens.
  { kind: "phone", re: /(?<![\d+])0[1-9](?:[ .-]?\d{2}){4}(?!\d)/g },
  { kind: "handle", re: /(?<![\p{L}\p{N}._%+-])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?/gu },
  {
    // « son snap c'est kev.d93 », « insta: ma.rine_22 », « sur snap il est sous le pseudo titi.dz »
    kind: "handle",
    // The handle itself has a digit, a dot or an underscore: « TikTok c'est toxique » names nobody.
    re: /\b(?:snap(?:chat)?|insta(?:gram)?|tiktok|tik tok|discord|twitter|fb|facebook|pseudo)\b[^.\n]{0,24}?(?:c'est|c’est|:|=|pseudo)\s*([a-z0-9]{0,28}[._0-9][a-z0-9._]{0,28})/giu,
    group: 1,
  },
  { kind: "class", re: /\b[3-6](?:e|è|ème|eme)\s?(?:[A-H]|[1-9])\b/g },
  { kind: "class", re: /\b(?:CP|CE1|CE2|CM1|CM2)\s?[A-D]\b/g },
  {
    // The keyword in any case, the class as written on a timetable: « la seconde a dit » is no class.
    kind: "class",
    re: /(?<!\p{L})(?:[Ss]econde|2nde|1(?:ère|re|ere)|[Pp]remi[èe]re|[Tt]erminale|[Tt]le)\s(?:[A-Z]{0,3}\d{1,2}|[A-H](?!\p{L}))/gu,
  },
  {
    kind: "address",
    re: new RegExp(
      `\\b\\d{1,4}(?: ?(?:bis|ter))?,? (?:rue|avenue|av\\.|boulevard|bd|allée|allee|impasse|place|chemin|route|quai|cours|square)(?: ${PARTICLE})? ${PROPER}`,
      "gu",
    ),
  },
  { kind: "address", re: new RegExp(`\\b(?:bd|boulevard|avenue) ${PROPER}`, "gu") },
  { kind: "address", re: new RegExp(`(?<!\\p{L})résidence ${PROPER}(?:, bât(?:\\.|iment) [A-Z0-9])?`, "gu") },
  {
    // The keyword in any case (phones), the name capitalised: « le collège on a… » names nothing.
    kind: "school",
    re: new RegExp(
      `(?<!\\p{L})(?:[Cc]oll[èe]ge|[Ll]yc[ée]e(?: [Pp]ro(?:fessionnel)?)?|[ÉéEe]cole(?: (?:[ée]l[ée]mentaire|maternelle|primaire))?|[Gg]roupe scolaire|IME|ITEP|[Ff]oyer|[Ii]nternat)(?: (?:de la rue|rue) (?:des |du |de la )?${NAME}| (?:[Ll]es |[Ll]e |[Ll]a )?${PROPER})`,
      "gu",
    ),
  },
];

function regexFlags(text: string): DetailFlag[] {
  const out: DetailFlag[] = [];
  for (const { kind, re, group } of PATTERNS) {
    for (const m of text.matchAll(re)) {
      const value = group ? m[group]! : m[0];
      const start = group ? m.index! + m[0].lastIndexOf(value) : m.index!;
      out.push({ kind, start, end: start + value.length, text: value, confidence: "sure" });
    }
  }
  for (const found of findPhoneNumbersInText(text, { defaultCountry: "FR" })) {
    out.push({
      kind: "phone",
      start: found.startsAt,
      end: found.endsAt,
      text: text.slice(found.startsAt, found.endsAt),
      confidence: "sure",
    });
  }
  return out;
}

/** Words a person is named by around here: a civility, an initial, a given name. */
function personFlags(text: string): DetailFlag[] {
  const out: DetailFlag[] = [];
  const push = (start: number, end: number, confidence: DetailFlag["confidence"]) =>
    out.push({ kind: "person", start, end, text: text.slice(start, end), confidence });
  // « M. Dupont », « Mme Da Silva », « Dr Benali », « mme girard » (not « Mme la proviseure »).
  const civility = /\b(?:M\.|Mr\.?|Mme|Mlle|Madame|Monsieur|Dr\.?|Docteur)\s+((?:[Dd][ae]\s)?[\p{L}'’-]+)/giu;
  for (const m of text.matchAll(civility)) {
    const surname = m[1]!;
    if (NOT_A_SURNAME.has(fold(surname)) || surname.length < 2) continue;
    // « madame ou monsieur »: a lowercase word after a civility is a name only if it is no common word.
    if (!/^\p{Lu}/u.test(surname) && COMMON.has(fold(surname.replace(/^[Dd][ae]\s/, "")))) continue;
    push(m.index!, m.index! + m[0].length, "sure");
  }
  // Given names, with what follows them: an initial (« Kevin D. ») or a surname (« Karim Haddad »).
  const token = /[\p{L}][\p{L}'’-]*/gu;
  const tokens = [...text.matchAll(token)].map((m) => ({ word: m[0], start: m.index!, end: m.index! + m[0].length }));
  tokens.forEach((t, i) => {
    const key = fold(t.word);
    if (!GIVEN_NAMES.has(key) || key.length < 3) return;
    const capital = /^\p{Lu}\p{Ll}/u.test(t.word);
    const before = tokens[i - 1] ? fold(text.slice(tokens[i - 1]!.start, t.start)) : "";
    const prev = tokens[i - 1] ? fold(tokens[i - 1]!.word) : "";
    const next = tokens[i + 1];
    // « la petite lea », « le fils Moreau », « de Jules », « mere de ryan »: said of someone.
    const told = /^(?:petite?|fils|fille|frere|soeur|copine?|cousine?|certaine?|eleve|mere|pere)$/.test(prev);
    const initial = /^ [A-Z]\./.test(text.slice(t.end, t.end + 3));
    const surname =
      capital &&
      next &&
      next.start === t.end + 1 &&
      /^\p{Lu}\p{Ll}/u.test(next.word) &&
      !GIVEN_NAMES.has(fold(next.word));
    const common = COMMON.has(key);
    // After an article it is a thing (« la France », « une Rose des vents »).
    const article = /^(?:la|le|les|l|un|une|des|du|sa|son|ma|mon|ta|ton|cette|ce)$/.test(prev);
    const sentenceStart = i === 0 || /[.!?:;]\s*$/.test(before);
    if (initial) return push(t.start, t.end + 3, "sure");
    if (surname && !common) return push(t.start, next!.end, "sure");
    // A frequent word stays only possible (« une petite victoire », « en France »).
    if (told) return push(t.start, t.end, common ? "possible" : "sure");
    if (article) return;
    if (capital && !sentenceStart) return push(t.start, t.end, common ? "possible" : "sure");
    // « Kevin en 4e3… » and « Justice pour… » look alike: shown, never held back for that alone.
    if (capital || !common) push(t.start, t.end, "possible");
  });
  return out;
}

/** Every flag of a note, overlapping ones merged into the longest (and the surest), in text order. */
export function identifyingDetails(text: string): DetailFlag[] {
  // Notes are short (the relay bounds them); anything longer is read in its first part only.
  text = text.slice(0, MAX_SCANNED);
  const all = [...regexFlags(text), ...personFlags(text)].sort(
    (a, b) => a.start - b.start || b.end - b.start - (a.end - a.start),
  );
  const out: DetailFlag[] = [];
  for (const flag of all) {
    const last = out.at(-1);
    if (last && flag.start < last.end) {
      // Keep the span that says more; a place named after a person stays a place.
      if (flag.end - flag.start > last.end - last.start && flag.kind !== "person") out[out.length - 1] = flag;
      continue;
    }
    out.push(flag);
  }
  return out;
}

/** Whether a word is a given name of the list (theme labels never show one). */
export function isGivenName(word: string): boolean {
  return GIVEN_NAMES.has(fold(word));
}

/** Placeholders that replace details, in the board's language. */
export const DETAIL_PLACEHOLDERS: Record<"fr" | "en", Record<DetailKind, string>> = {
  fr: {
    person: "[nom]",
    phone: "[téléphone]",
    email: "[e-mail]",
    address: "[adresse]",
    handle: "[pseudo]",
    class: "[classe]",
    school: "[établissement]",
  },
  en: {
    person: "[name]",
    phone: "[phone]",
    email: "[e-mail]",
    address: "[address]",
    handle: "[handle]",
    class: "[class]",
    school: "[school]",
  },
};

/** The text with every detail found replaced by its placeholder, last first so that spans keep their place. */
export function redactDetails(text: string, language: "fr" | "en"): string {
  return identifyingDetails(text)
    .sort((a, b) => b.start - a.start)
    .reduce((out, f) => out.slice(0, f.start) + DETAIL_PLACEHOLDERS[language][f.kind] + out.slice(f.end), text);
}
