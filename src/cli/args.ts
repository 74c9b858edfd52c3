/** The value after `name` in the command's arguments (`--org org_1` → `org_1`). */
export function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
