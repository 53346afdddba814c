declare module "snowball-stemmers" {
  /** Snowball stemmers (ISC); only what Atelier uses. */
  export function newStemmer(language: string): { stem(word: string): string };
}
