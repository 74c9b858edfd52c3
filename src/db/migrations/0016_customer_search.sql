-- pg_trgm ships with Postgres and is a trusted extension (13+): the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "customers_search_trgm" ON "customers" USING gin (("email" || E'\n' || "name" || E'\n' || "external_id") gin_trgm_ops);
