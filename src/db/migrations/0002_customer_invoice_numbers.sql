-- Invoice numbers become per customer (`<invoiceNumberBase>-0001`, as Flowglad and Stripe number them):
-- an organization-wide counter made every paying checkout of a merchant wait for the previous one to commit.
ALTER TABLE "customers" ADD COLUMN "invoice_count" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE "customers" SET "invoice_count" = counted.n
FROM (SELECT "customer_id", count(*) AS n FROM "invoices" GROUP BY "customer_id") AS counted
WHERE counted."customer_id" = "customers"."id";--> statement-breakpoint
UPDATE "customers" SET "invoice_number_base" = upper(substr(md5("id"), 1, 8)) WHERE "invoice_number_base" IS NULL;--> statement-breakpoint
DROP TABLE "invoice_counters" CASCADE;
