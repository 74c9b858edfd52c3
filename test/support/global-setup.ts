import type { TestProject } from "vitest/node";
import { createMigratedDatabase } from "./databases.js";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/** One fresh database per test run, migrated with the committed migrations, dropped at the end. */
export default async function setup(project: TestProject) {
  const database = await createMigratedDatabase("glade_test");
  project.provide("databaseUrl", database.url);
  return database.drop;
}
