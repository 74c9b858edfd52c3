import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * A checker for API responses against `@flowglad/node`'s own declarations (`resources/*.d.ts`), read at test time
 * so a new SDK version's types are what the records are held to. The package installs TypeScript 7, which ships
 * no compiler API, so this reads the small subset of TypeScript the generated declarations use: interfaces
 * (with `extends`), namespaces, unions, intersections, literals, `Array<T>`, `T[]`, inline object types and index
 * signatures. A declaration outside that subset throws, so the checker cannot silently accept what it cannot read.
 */

type TypeNode =
  | { kind: "keyword"; name: string }
  | { kind: "literal"; value: string | number | boolean }
  | { kind: "object"; members: Member[]; index: TypeNode | undefined }
  | { kind: "array"; element: TypeNode }
  | { kind: "union"; types: TypeNode[] }
  | { kind: "intersection"; types: TypeNode[] }
  | { kind: "ref"; path: string[]; scope: Scope };

type Member = { name: string; optional: boolean; type: TypeNode };
type InterfaceDecl = { members: Member[]; index: TypeNode | undefined; extends: TypeNode[]; scope: Scope };
type Entry = { interfaces: InterfaceDecl[]; namespace?: Scope; alias?: TypeNode };
type Scope = { entries: Map<string, Entry>; parent: Scope | undefined; module: ModuleInfo };
type ModuleInfo = { file: string; imports: Map<string, string>; top: Scope | undefined };

const KEYWORDS = new Set([
  "string",
  "number",
  "boolean",
  "null",
  "unknown",
  "any",
  "undefined",
  "object",
  "never",
]);

function tokenize(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ");
  const tokens: string[] = [];
  const re = /\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|[A-Za-z_$][\w$]*|\S)/g;
  for (let m = re.exec(text); m && m[1] !== undefined; m = re.exec(text)) tokens.push(m[1]);
  return tokens;
}

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: string[],
    private readonly module: ModuleInfo,
  ) {}

  private peek(offset = 0): string | undefined {
    return this.tokens[this.at + offset];
  }
  private next(): string {
    const token = this.tokens[this.at++];
    if (token === undefined) throw new Error(`${this.module.file}: unexpected end of declarations`);
    return token;
  }
  private expect(token: string): void {
    const got = this.next();
    if (got !== token)
      throw new Error(`${this.module.file}: expected ${token}, got ${got} at token ${this.at}`);
  }
  private skipBalanced(open: string, close: string): void {
    this.expect(open);
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (t === open) depth++;
      else if (t === close) depth--;
    }
  }
  private skipStatement(): void {
    while (this.peek() !== undefined && this.peek() !== ";") {
      if (this.peek() === "{") this.skipBalanced("{", "}");
      else this.next();
    }
    if (this.peek() === ";") this.next();
  }

  parseScope(scope: Scope, endToken: string | undefined): void {
    while (this.peek() !== undefined && this.peek() !== endToken) {
      while (this.peek() === "export" || this.peek() === "declare") this.next();
      const word = this.peek();
      if (word === "import") this.parseImport();
      else if (word === "interface") this.parseInterface(scope);
      else if (word === "namespace") this.parseNamespace(scope);
      else if (word === "type") this.parseAlias(scope);
      else if (word === "class") {
        this.next();
        while (this.peek() !== "{") this.next();
        this.skipBalanced("{", "}");
      } else if (
        word === "{" ||
        word === "*" ||
        word === "default" ||
        word === "const" ||
        word === "function"
      ) {
        this.skipStatement();
      } else throw new Error(`${this.module.file}: cannot read a declaration starting with ${word}`);
    }
    if (endToken !== undefined) this.expect(endToken);
  }

  private parseImport(): void {
    this.expect("import");
    if (this.peek() === "*") {
      this.next();
      this.expect("as");
      const alias = this.next();
      this.expect("from");
      const from = this.next().slice(1, -1);
      this.module.imports.set(alias, from.replace(/^\.\//, "").replace(/\.js$/, ""));
      if (this.peek() === ";") this.next();
      return;
    }
    this.skipStatement();
  }

  private entry(scope: Scope, name: string): Entry {
    let entry = scope.entries.get(name);
    if (!entry) {
      entry = { interfaces: [] };
      scope.entries.set(name, entry);
    }
    return entry;
  }

  private parseInterface(scope: Scope): void {
    this.expect("interface");
    const name = this.next();
    const heritage: TypeNode[] = [];
    if (this.peek() === "extends") {
      this.next();
      do {
        if (this.peek() === ",") this.next();
        heritage.push(this.parseReference(scope));
      } while (this.peek() === ",");
    }
    const body = this.parseObjectBody(scope);
    this.entry(scope, name).interfaces.push({ ...body, extends: heritage, scope });
  }

  private parseNamespace(scope: Scope): void {
    this.expect("namespace");
    const name = this.next();
    const entry = this.entry(scope, name);
    entry.namespace ??= { entries: new Map(), parent: scope, module: this.module };
    this.expect("{");
    this.parseScope(entry.namespace, "}");
  }

  private parseAlias(scope: Scope): void {
    this.expect("type");
    const name = this.next();
    this.expect("=");
    this.entry(scope, name).alias = this.parseType(scope);
    if (this.peek() === ";") this.next();
  }

  private parseObjectBody(scope: Scope): { members: Member[]; index: TypeNode | undefined } {
    this.expect("{");
    const members: Member[] = [];
    let index: TypeNode | undefined;
    while (this.peek() !== "}") {
      if (this.peek() === "readonly") this.next();
      if (this.peek() === "[") {
        this.next();
        this.next(); // key name
        this.expect(":");
        this.parseType(scope);
        this.expect("]");
        this.expect(":");
        index = this.parseType(scope);
      } else {
        let name = this.next();
        if (name.startsWith("'") || name.startsWith('"')) name = name.slice(1, -1);
        const optional = this.peek() === "?";
        if (optional) this.next();
        if (this.peek() === "(") throw new Error(`${this.module.file}: method ${name} in a record type`);
        this.expect(":");
        members.push({ name, optional, type: this.parseType(scope) });
      }
      if (this.peek() === ";" || this.peek() === ",") this.next();
    }
    this.expect("}");
    return { members, index };
  }

  parseType(scope: Scope): TypeNode {
    if (this.peek() === "|") this.next();
    const types = [this.parseIntersection(scope)];
    while (this.peek() === "|") {
      this.next();
      types.push(this.parseIntersection(scope));
    }
    return types.length === 1 ? (types[0] as TypeNode) : { kind: "union", types };
  }

  private parseIntersection(scope: Scope): TypeNode {
    const types = [this.parsePostfix(scope)];
    while (this.peek() === "&") {
      this.next();
      types.push(this.parsePostfix(scope));
    }
    return types.length === 1 ? (types[0] as TypeNode) : { kind: "intersection", types };
  }

  private parsePostfix(scope: Scope): TypeNode {
    let type = this.parsePrimary(scope);
    while (this.peek() === "[" && this.peek(1) === "]") {
      this.next();
      this.next();
      type = { kind: "array", element: type };
    }
    return type;
  }

  private parsePrimary(scope: Scope): TypeNode {
    const token = this.peek();
    if (token === undefined) throw new Error(`${this.module.file}: type expected`);
    if (token === "(") {
      this.next();
      const inner = this.parseType(scope);
      this.expect(")");
      return inner;
    }
    if (token === "{") return { kind: "object", ...this.parseObjectBody(scope) };
    if (token.startsWith("'") || token.startsWith('"')) {
      this.next();
      return { kind: "literal", value: token.slice(1, -1) };
    }
    if (/^-?\d/.test(token)) {
      this.next();
      return { kind: "literal", value: Number(token) };
    }
    if (token === "true" || token === "false") {
      this.next();
      return { kind: "literal", value: token === "true" };
    }
    if (KEYWORDS.has(token)) {
      this.next();
      return { kind: "keyword", name: token };
    }
    if (token === "Array" && this.peek(1) === "<") {
      this.next();
      this.expect("<");
      const element = this.parseType(scope);
      this.expect(">");
      return { kind: "array", element };
    }
    if (token === "Record" && this.peek(1) === "<") {
      this.next();
      this.expect("<");
      this.parseType(scope);
      this.expect(",");
      const value = this.parseType(scope);
      this.expect(">");
      return { kind: "object", members: [], index: value };
    }
    return this.parseReference(scope);
  }

  private parseReference(scope: Scope): TypeNode {
    const path = [this.next()];
    while (this.peek() === ".") {
      this.next();
      path.push(this.next());
    }
    if (this.peek() === "<")
      throw new Error(`${this.module.file}: generic ${path.join(".")} is not supported`);
    return { kind: "ref", path, scope };
  }
}

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
