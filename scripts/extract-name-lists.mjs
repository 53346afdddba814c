// Writes shared/src/derived/curation/name-lists-fr.json: the two word lists the
// identifying-details detector needs, taken from @zxcvbn-ts/language-fr (MIT).
// The package's whole dictionary (about 80,000 entries) would otherwise stay
// in the relay's memory for the 8,500 words used. Rerun after upgrading it.
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("../shared/package.json", import.meta.url));
const { dictionary } = await import(require.resolve("@zxcvbn-ts/language-fr"));
const words = (key) => (Array.isArray(dictionary[key]) ? dictionary[key] : Object.keys(dictionary[key]));

const lists = {
  source: "@zxcvbn-ts/language-fr (MIT), extracted by scripts/extract-name-lists.mjs",
  // Its `lastnames-fr` list in fact holds given names (the package's two keys are swapped).
  givenNames: words("lastnames-fr"),
  // Ordered by frequency: the detector keeps the first 6,000.
  commonWords: words("commonWords-fr").slice(0, 6000),
};
writeFileSync(
  new URL("../shared/src/derived/curation/name-lists-fr.json", import.meta.url),
  JSON.stringify(lists) + "\n",
);
