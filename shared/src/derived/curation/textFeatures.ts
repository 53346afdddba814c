import { newStemmer } from "snowball-stemmers";
import lexicon from "./lexicon-fr.json" with { type: "json" };

/**
 * What a short note says, as weighted features: the stems of its words
 * (French Snowball, accents folded, stop words out) and the concepts of
 * the field it mentions (`lexicon-fr.json`: « prof » and « enseignante » are
 * both `school_staff`). Notes of one theme share few words but often a
 * concept, so concepts weigh more. Runs on the relay, in Node.
 */
export interface Lexicon {
  concepts: { id: string; label: string; forms: string[] }[];
}

/** The field's lexicon with a board's own words first: each theme they name becomes a concept. */
export function withBoardWords(words: { form: string; theme: string }[], lexicon: Lexicon = LEXICON): Lexicon {
  const byTheme = new Map<string, string[]>();
  for (const { form, theme } of words) byTheme.set(theme, [...(byTheme.get(theme) ?? []), fold(form)]);
  return {
    concepts: [
      ...[...byTheme].map(([theme, forms]) => ({ id: `board:${fold(theme)}`, label: theme, forms })),
      ...lexicon.concepts,
    ],
  };
}

export const LEXICON = lexicon as Lexicon;

const stemmer = newStemmer("french");
export const fold = (s: string) =>
  s
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();

/** Words that carry no theme in these notes (French first, some English): kept short on purpose. */
const STOP = new Set(
  (
    "a ai aie ait as au aux avec avoir c ca ce ceci cela celle celles celui ces cet cette chez comme dans de des du elle elles en encore est et etc etre eu faire fait faut il ils j je l la le les leur leurs lui m ma mais me meme mes moi mon n ne ni nos notre nous on ont ou par pas peu peut plus pour pourquoi qu que quel quelle qui quand s sa sans se ses si sinon son sont sur t ta te tes toi ton tous tout toute toutes tres tu un une vos votre vous y deja aussi bien trop alors donc car parce avant apres entre sous vers chaque autre autres fois faut va vont etait sera ca cest cela ceux" +
    " the a an and or of to in on for with is are be it this that we they you our their not no more need needs what how" +
    " retiens besoin action lancer ce que je dont ai une il faut vraiment chose choses truc"
  ).split(" "),
);

interface Form {
  words: string[];
  concept: string;
}
function compileLexicon(lexicon: Lexicon): Map<string, Form[]> {
  // Indexed by first folded word; multi-word forms are matched on the word sequence.
  const byFirst = new Map<string, Form[]>();
  for (const concept of lexicon.concepts)
    for (const form of concept.forms) {
      const words = fold(form)
        .split(/[^\p{L}\p{N}]+/u)
        .filter(Boolean);
      if (words.length === 0) continue;
      byFirst.set(words[0]!, [...(byFirst.get(words[0]!) ?? []), { words, concept: concept.id }]);
    }
  for (const forms of byFirst.values()) forms.sort((a, b) => b.words.length - a.words.length);
  return byFirst;
}

export class FeatureExtractor {
  private readonly forms: Map<string, Form[]>;
  readonly labels: Map<string, string>;

  constructor(lexicon: Lexicon = LEXICON) {
    this.forms = compileLexicon(lexicon);
    this.labels = new Map(lexicon.concepts.map((c) => [c.id, c.label]));
  }

  /** Stems (weight 1) and concepts (weight 3) of one text; also each stem's words as typed, for labels. */
  features(text: string): { weights: Map<string, number>; surface: Map<string, string> } {
    const words = fold(text)
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
    const typed = text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    const weights = new Map<string, number>();
    const surface = new Map<string, string>();
    const add = (key: string, w: number) => weights.set(key, (weights.get(key) ?? 0) + w);
    for (let i = 0; i < words.length; i++) {
      for (const form of this.forms.get(words[i]!) ?? []) {
        if (form.words.every((w, k) => words[i + k] === w)) {
          add(`c:${form.concept}`, 3);
          break;
        }
      }
      const word = words[i]!;
      if (word.length < 3 || STOP.has(word) || /^\d+$/.test(word)) continue;
      const stem = `s:${stemmer.stem(word)}`;
      add(stem, 1);
      if (!surface.has(stem)) surface.set(stem, (typed[i] ?? word).toLowerCase());
    }
    return { weights, surface };
  }
}
