import js from "@eslint/js";
import tseslint from "typescript-eslint";
import importPlugin from "eslint-plugin-import";

/** Stages of the relay, in the order imports may run (docs/ARCHITECTURE.md, "The tree"). */
const LOWER_THAN = {
  storage: ["rooms", "ingest", "sync", "archive", "http"],
  rooms: ["ingest", "sync", "archive", "http"],
  ingest: ["sync", "archive", "http"],
  sync: ["ingest", "archive", "http"],
  archive: ["ingest", "sync", "http"],
  guards: ["rooms", "ingest", "sync", "archive", "http", "storage"],
  transport: ["rooms", "ingest", "sync", "archive", "http", "storage"],
};

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "data/**", "docs/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: "readonly",
        process: "readonly",
        self: "readonly",
        caches: "readonly",
        fetch: "readonly",
        Response: "readonly",
        URL: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    // A circular import means two modules that are really one, or a stage reaching back up the flow.
    files: ["server/src/**/*.ts", "shared/src/**/*.ts", "client/src/**/*.{ts,tsx}"],
    plugins: { import: importPlugin },
    settings: { "import/extensions": [".ts", ".tsx"], "import/resolver": { node: { extensions: [".ts", ".tsx"] } } },
    rules: { "import/no-cycle": ["error", { ignoreExternal: true }] },
  },
  {
    // A reader should hold a module in one sitting.
    files: ["server/src/**/*.ts", "shared/src/**/*.ts", "client/src/**/*.{ts,tsx}", "tests/support/**/*.ts"],
    rules: { "max-lines": ["error", { max: 400, skipBlankLines: true, skipComments: true }] },
  },
  {
    // Only the entry (relay.ts) wires the HTTP layer in.
    files: ["server/src/*/**/*.ts"],
    ignores: ["server/src/http/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/http/*"], message: "only relay.ts imports http/" }] },
      ],
    },
  },
  ...Object.entries(LOWER_THAN).map(([stage, above]) => ({
    files: [`server/src/${stage}/**/*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: above.flatMap((name) => [`../${name}/*`, `**/src/${name}/*`]),
              message: `${stage}/ sits below ${above.join(", ")}: imports run entry → stages → rooms → storage`,
            },
          ],
        },
      ],
    },
  })),
);
