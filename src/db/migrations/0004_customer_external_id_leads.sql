DROP INDEX "customers_external_id";--> statement-breakpoint
CREATE UNIQUE INDEX "customers_external_id" ON "customers" USING btree ("external_id","organization_id","livemode");