// The import rules between Glade's domains (`npm run deps`, run by scripts/test.sh). A domain is any
// folder of src/ that is not infrastructure, so a new domain folder is covered without editing this file.
const INFRA = "db|lib|http|cli|context";
const DOMAIN_FILE = `^src/(?!(?:${INFRA})/)[^/]+/`;
// A domain's route modules plug it into the web app: they alone may use http/ (App, route documentation).
const ROUTE_MODULE = "/(?:public-)?routes[\\w-]*\\.ts$";

module.exports = {
  forbidden: [
    {
      name: "no-cycle",
      comment: "An import cycle: ES modules then evaluate in an order that depends on who imported first.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-folder-cycle",
      comment: "Folders of src/ that depend on each other, even without a cycle between two modules.",
      severity: "error",
      scope: "folder",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "domain-through-index",
      comment: "Another domain is reached only through its index.ts (docs/domain-apis.md).",
      severity: "error",
      from: { path: "^src/([^/]+)" },
      to: { path: `${DOMAIN_FILE}(?!index\\.ts$)`, pathNot: "^src/$1/" },
    },
    {
      name: "domain-not-web-or-cli",
      comment: "Services never see a request: what they are handed comes from src/context.",
      severity: "error",
      from: { path: DOMAIN_FILE, pathNot: ROUTE_MODULE },
      to: { path: "^src/(?:http|cli)/" },
    },
    {
      name: "domain-not-app-root",
      comment: "jobs.ts, deps.ts and server.ts assemble the app from the domains, not the other way round.",
      severity: "error",
      from: { path: DOMAIN_FILE },
      to: { path: "^src/[^/]+\\.ts$" },
    },
    {
      name: "domain-not-cli",
      comment: "Not even a route module: the command line is a caller of the domains.",
      severity: "error",
      from: { path: DOMAIN_FILE },
      to: { path: "^src/cli/" },
    },
    {
      name: "infrastructure-not-domain",
      comment: "lib/, db/ and context/ sit under every domain and know none of them.",
      severity: "error",
      from: { path: "^src/(?:lib|db|context)/" },
      to: { path: DOMAIN_FILE },
    },
    {
      name: "not-to-unresolvable",
      comment: "An import that resolves to nothing would pass these rules unseen.",
      severity: "error",
      from: { path: "^src/" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/db/migrations/" },
    // dependency-cruiser reads TypeScript with the compiler's JavaScript API, which TypeScript 7 no longer
    // ships; swc (an npm package with its parser prebuilt for each platform) reads it instead, type-only
    // imports included.
    parser: "swc",
    enhancedResolveOptions: {
      extensions: [".ts", ".js"],
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
  },
};
