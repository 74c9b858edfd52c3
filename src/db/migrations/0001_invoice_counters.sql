CREATE TABLE "invoice_counters" (
	"organization_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"last_number" bigint NOT NULL,
	CONSTRAINT "invoice_counters_organization_id_livemode_pk" PRIMARY KEY("organization_id","livemode")
);
--> statement-breakpoint
-- Existing merchants continue their sequence where the old count-based numbering left it.
INSERT INTO "invoice_counters" ("organization_id", "livemode", "last_number")
SELECT "organization_id", "livemode", count(*) FROM "invoices" GROUP BY "organization_id", "livemode"
ON CONFLICT DO NOTHING;
