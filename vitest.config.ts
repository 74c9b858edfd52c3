import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    globalSetup: ["./test/support/global-setup.ts"],
    // Hang guards, not budgets: every test bounds its own work (rounds, rows, requests), so under a loaded
    // machine it takes longer but still ends; these only stop one that never would.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // expect.poll waits on a condition; its 1 s default is a wall-clock budget a loaded machine can miss.
    expect: { poll: { timeout: 60_000, interval: 50 } },
    // Servers the tests start pay from 127.0.0.1 into one shared database: the per-client card limit would
    // count the whole suite as one client. test/hardening/card-attempts.test.ts tests the limit with its own.
    // A file's tests use many merchants at once, so per-merchant admission would run each merchant's requests one
    // at a time and the race tests would race nothing; test/http/tenant-admission.test.ts tests admission itself.
    env: { GLADE_CARD_ATTEMPTS_PER_CLIENT: "1000000", GLADE_TENANT_CONCURRENCY: "100000" },
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default"],
  },
});
