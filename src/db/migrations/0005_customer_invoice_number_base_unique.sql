-- Bases were drawn at random without a uniqueness check: two customers of one merchant could share one and then
-- collide on invoice numbers. All but the first customer of each shared base get a longer, distinct one (their
-- invoices already numbered keep their numbers).
UPDATE "customers" c SET "invoice_number_base" = c."invoice_number_base" || upper(substr(md5(c."id"), 1, 8))
FROM (
  SELECT "id", row_number() OVER (PARTITION BY "invoice_number_base", "organization_id", "livemode" ORDER BY "position") AS n
  FROM "customers" WHERE "invoice_number_base" IS NOT NULL
) d
WHERE d."id" = c."id" AND d.n > 1;--> statement-breakpoint
CREATE UNIQUE INDEX "customers_invoice_number_base" ON "customers" USING btree ("invoice_number_base","organization_id","livemode");