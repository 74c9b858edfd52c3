/**
 * The long crash run of issue #7: `npx tsx bench/crash-soak.ts --iterations 500 [--seed N]`.
 * Same harness as test/hardening/crash.test.ts (a real `glade start` child, SIGKILLed at random points,
 * restarted on the same database), for as many kills as asked; prints a summary and exits non-zero if
 * the books do not balance. Uses a throwaway database on GLADE_TEST_ADMIN_URL's server.
 */
import {
  audit,
  crashRound,
  createWorld,
  killHard,
  recover,
  seededRandom,
  startServerChild,
} from "../test/support/crash-harness.js";
import { createMigratedDatabase } from "../test/support/databases.js";
import { startReceiver } from "../test/support/webhooks.js";
import { freePort } from "./lib/child.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}

const iterations = arg("--iterations", 200);
const seed = arg("--seed", Date.now() % 1_000_000);
/** The kill comes after a random number of a round's requests have been answered, then up to this many ms. */
const maxKillDelayMs = arg("--max-kill-ms", 400);
const adminUrl = process.env.GLADE_TEST_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const database = await createMigratedDatabase("glade_crash", adminUrl);
const receiver = await startReceiver();
const port = await freePort();
let child = await startServerChild(database.url, port);
const world = await createWorld(database.url, child.base, receiver);
const rng = seededRandom(seed);
const waiting: string[] = [];
const started = Date.now();
let sent = 0;
let cut = 0;
let exitCode = 1;
try {
  for (let i = 1; i <= iterations; i++) {
    const round = await crashRound(world, child, rng, maxKillDelayMs, waiting);
    sent += round.requestsSent;
    cut += round.requestsCut;
    child = await startServerChild(database.url, port);
    if (i % 25 === 0) process.stdout.write(`  ${i}/${iterations} kills, ${cut}/${sent} requests cut off\n`);
  }
  await new Promise((r) => setTimeout(r, 1000));
  await killHard(child);
  const recovery = await recover(world);
  const result = await audit(world, receiver);
  const summary = {
    seed,
    iterations,
    seconds: Math.round((Date.now() - started) / 1000),
    requestsSent: sent,
    requestsCut: cut,
    ...recovery,
    ...result.summary,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  if (result.violations.length > 0) {
    process.stdout.write(`${result.violations.length} violations:\n${result.violations.join("\n")}\n`);
  } else {
    process.stdout.write("books balance: no violations\n");
    exitCode = 0;
  }
} finally {
  await killHard(child);
  await receiver.close();
  await world.handle.close();
  await database.drop();
}
process.exit(exitCode);
