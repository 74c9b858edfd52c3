/** "2026-12-04 22:41": timestamps on dashboard pages, in UTC like everything Glade stores. */
export function when(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")}`;
}
