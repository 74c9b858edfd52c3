/**
 * The reader behind sdk-types.ts: the small subset of TypeScript that `@flowglad/node`'s generated declarations
 * use (interfaces with `extends`, namespaces, unions, intersections, literals, `Array<T>`, `T[]`, inline object
 * types, index signatures, aliases). Anything else throws, so a declaration it cannot read is never accepted.
 */
export type TypeNode =
  | { kind: "keyword"; name: string }
  | { kind: "literal"; value: string | number | boolean }
  | { kind: "object"; members: Member[]; index: TypeNode | undefined }
  | { kind: "array"; element: TypeNode }
  | { kind: "union"; types: TypeNode[] }
  | { kind: "intersection"; types: TypeNode[] }
  | { kind: "ref"; path: string[]; scope: Scope };

export type Member = { name: string; optional: boolean; type: TypeNode };
export type InterfaceDecl = {
  members: Member[];
  index: TypeNode | undefined;
  extends: TypeNode[];
  scope: Scope;
};
export type Entry = { interfaces: InterfaceDecl[]; namespace?: Scope; alias?: TypeNode };
export type Scope = { entries: Map<string, Entry>; parent: Scope | undefined; module: ModuleInfo };
export type ModuleInfo = { file: string; imports: Map<string, string>; top: Scope | undefined };

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

export function tokenize(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ");
  const tokens: string[] = [];
  const re = /\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|[A-Za-z_$][\w$]*|\S)/g;
  for (let m = re.exec(text); m && m[1] !== undefined; m = re.exec(text)) tokens.push(m[1]);
  return tokens;
}

export class Parser {
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
