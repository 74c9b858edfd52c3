import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * A checker for API responses against `@flowglad/node`'s own declarations (`resources/*.d.ts`), read at test time
 * so a new SDK version's types are what the records are held to. The package installs TypeScript 7, which ships
 * no compiler API, so this reads the small subset of TypeScript the generated declarations use: interfaces
 * (with `extends`), namespaces, unions, intersections, literals, `Array<T>`, `T[]`, inline object types and index
 * signatures. A declaration outside that subset throws, so the checker cannot silently accept what it cannot read.
 */

import {
  type Entry,
  type Member,
  type ModuleInfo,
  Parser,
  type Scope,
  type TypeNode,
  tokenize,
} from "./sdk-types-parse.js";

export type Problem = { path: string; message: string };
export type CheckResult = { problems: Problem[]; fieldsChecked: number };

export class SdkTypes {
  private readonly modules = new Map<string, ModuleInfo>();
  private readonly dir: string;

  constructor() {
    const require = createRequire(import.meta.url);
    this.dir = join(dirname(require.resolve("@flowglad/node")), "resources");
  }

  private load(name: string): ModuleInfo {
    const cached = this.modules.get(name);
    if (cached) return cached;
    const module: ModuleInfo = { file: `${name}.d.ts`, imports: new Map(), top: undefined };
    const top: Scope = { entries: new Map(), parent: undefined, module };
    module.top = top;
    this.modules.set(name, module);
    new Parser(tokenize(readFileSync(join(this.dir, `${name}.d.ts`), "utf8")), module).parseScope(
      top,
      undefined,
    );
    return module;
  }

  /** The resource files the client declares (`customers`, `payments`...), index and shared types aside. */
  resourceFiles(): string[] {
    return readdirSync(this.dir)
      .filter((name) => name.endsWith(".d.ts") && !["index.d.ts", "shared.d.ts"].includes(name))
      .map((name) => name.slice(0, -".d.ts".length))
      .sort();
  }

  /** The answers `resources/<file>.d.ts` declares for its methods: its top-level types named `...Response`. */
  responseTypes(file: string): string[] {
    return [...this.topOf(this.load(file)).entries]
      .filter(([name, entry]) => name.endsWith("Response") && (entry.interfaces.length > 0 || entry.alias))
      .map(([name]) => name);
  }

  /** The declared type `Name` or `Namespace.Name` of `resources/<file>.d.ts`. */
  type(file: string, name: string): TypeNode {
    return { kind: "ref", path: name.split("."), scope: this.topOf(this.load(file)) };
  }

  private topOf(module: ModuleInfo): Scope {
    if (!module.top) throw new Error(`${module.file} not loaded`);
    return module.top;
  }

  private resolve(ref: { path: string[]; scope: Scope }): Entry {
    const [first, ...rest] = ref.path;
    if (first === undefined) throw new Error("empty reference");
    let entry: Entry | undefined;
    for (let scope: Scope | undefined = ref.scope; scope && !entry; scope = scope.parent) {
      entry = scope.entries.get(first);
    }
    let namespace: Scope | undefined = entry?.namespace;
    if (!entry) {
      const imported = ref.scope.module.imports.get(first);
      if (imported === undefined)
        throw new Error(`${ref.scope.module.file}: cannot resolve ${ref.path.join(".")}`);
      namespace = this.topOf(this.load(imported));
      entry = { interfaces: [], namespace };
    }
    for (const segment of rest) {
      const inner = namespace?.entries.get(segment);
      if (!inner) throw new Error(`${ref.scope.module.file}: cannot resolve ${ref.path.join(".")}`);
      entry = inner;
      namespace = inner.namespace;
    }
    return entry;
  }

  /** The members of a resolved interface, its `extends` included (a later declaration wins). */
  private membersOf(entry: Entry): { members: Map<string, Member>; index: TypeNode | undefined } {
    const members = new Map<string, Member>();
    let index: TypeNode | undefined;
    for (const decl of entry.interfaces) {
      for (const base of decl.extends) {
        if (base.kind !== "ref") continue;
        const inherited = this.membersOf(this.resolve(base));
        for (const [name, member] of inherited.members) members.set(name, member);
        index ??= inherited.index;
      }
      for (const member of decl.members) members.set(member.name, member);
      index = decl.index ?? index;
    }
    return { members, index };
  }

  check(value: unknown, type: TypeNode, path = "$"): CheckResult {
    const result: CheckResult = { problems: [], fieldsChecked: 0 };
    this.visit(value, type, path, result);
    return result;
  }

  private visit(value: unknown, type: TypeNode, path: string, out: CheckResult): void {
    const fail = (message: string) =>
      out.problems.push({ path, message: `${message}, got ${describe(value)}` });
    switch (type.kind) {
      case "keyword": {
        const ok =
          type.name === "unknown" ||
          type.name === "any" ||
          (type.name === "null" && value === null) ||
          (type.name === "undefined" && value === undefined) ||
          (type.name === "string" && typeof value === "string") ||
          (type.name === "number" && typeof value === "number" && Number.isFinite(value)) ||
          (type.name === "boolean" && typeof value === "boolean") ||
          (type.name === "object" && typeof value === "object" && value !== null);
        if (!ok) fail(`expected ${type.name}`);
        return;
      }
      case "literal":
        if (value !== type.value) fail(`expected ${JSON.stringify(type.value)}`);
        return;
      case "array":
        if (!Array.isArray(value)) return void fail("expected an array");
        value.forEach((item, i) => {
          this.visit(item, type.element, `${path}[${i}]`, out);
        });
        return;
      case "union": {
        let best: CheckResult | undefined;
        for (const member of type.types) {
          const attempt: CheckResult = { problems: [], fieldsChecked: 0 };
          this.visit(value, member, path, attempt);
          if (attempt.problems.length === 0) {
            out.fieldsChecked += attempt.fieldsChecked;
            return;
          }
          if (!best || rank(attempt) < rank(best)) best = attempt;
        }
        const literals = type.types.filter((t) => t.kind === "literal");
        if (
          literals.length === type.types.filter((t) => t.kind !== "keyword").length &&
          literals.length > 1
        ) {
          fail(
            `expected one of ${literals.map((t) => JSON.stringify(t.kind === "literal" && t.value)).join(", ")}`,
          );
          return;
        }
        out.fieldsChecked += best?.fieldsChecked ?? 0;
        out.problems.push(...(best?.problems ?? [{ path, message: "matches no member of the union" }]));
        return;
      }
      case "intersection": {
        // `string & {}` (an autocomplete trick in the generated types) is a string.
        const primitive = type.types.find((t) => t.kind === "keyword");
        for (const part of primitive ? [primitive] : type.types) this.visit(value, part, path, out);
        return;
      }
      case "object":
        this.visitObject(value, new Map(type.members.map((m) => [m.name, m])), type.index, path, out);
        return;
      case "ref": {
        const entry = this.resolve(type);
        if (entry.alias) {
          this.visit(value, entry.alias, path, out);
          return;
        }
        if (entry.interfaces.length === 0) throw new Error(`${type.path.join(".")} is not a type`);
        const { members, index } = this.membersOf(entry);
        this.visitObject(value, members, index, path, out);
        return;
      }
    }
  }

  private visitObject(
    value: unknown,
    members: Map<string, Member>,
    index: TypeNode | undefined,
    path: string,
    out: CheckResult,
  ): void {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      out.problems.push({ path, message: `expected an object, got ${describe(value)}` });
      return;
    }
    const record = value as Record<string, unknown>;
    for (const member of members.values()) {
      const field = record[member.name];
      out.fieldsChecked++;
      if (field === undefined) {
        if (!member.optional) out.problems.push({ path: `${path}.${member.name}`, message: "missing" });
        continue;
      }
      this.visit(field, member.type, `${path}.${member.name}`, out);
    }
    if (index) {
      for (const [key, field] of Object.entries(record)) {
        if (!members.has(key)) this.visit(field, index, `${path}.${key}`, out);
      }
    }
  }
}

/**
 * Which failed member of a union to report: the one whose literal fields (a `type` discriminator, an enum)
 * fit, then the one with the fewest problems, so a product session is judged as a product session.
 */
function rank(attempt: CheckResult): number {
  const literalMisses = attempt.problems.filter((p) =>
    /^expected ["\d]|^expected (true|false)/.test(p.message),
  );
  return literalMisses.length * 1000 + attempt.problems.length;
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
