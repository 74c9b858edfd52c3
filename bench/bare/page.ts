/**
 * Bare baseline for the hosted page: node:http answering every GET with a fixed HTML string, the very
 * bytes Glade rendered for the benchmarked session (BARE_PAGE_FILE), so both sides send the same size.
 */
import { readFileSync } from "node:fs";
import { serve } from "./common.js";

const file = process.env.BARE_PAGE_FILE;
if (!file) throw new Error("BARE_PAGE_FILE is required");
const page = readFileSync(file);

serve((req, res) => {
  if (req.method !== "GET") {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "content-type": "text/html; charset=UTF-8", "content-length": page.length });
  res.end(page);
});
