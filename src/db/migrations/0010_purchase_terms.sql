ALTER TABLE "purchases" ADD COLUMN "interval_unit" text;--> statement-breakpoint
ALTER TABLE "purchases" ADD COLUMN "interval_count" integer;--> statement-breakpoint
ALTER TABLE "purchases" ADD COLUMN "trial_period_days" integer;--> statement-breakpoint
UPDATE "purchases" AS pu SET "interval_unit" = pr."interval_unit", "interval_count" = pr."interval_count", "trial_period_days" = CASE WHEN pr."type" = 'subscription' THEN coalesce(pr."trial_period_days", 0) END FROM "prices" AS pr WHERE pr."id" = pu."price_id";--> statement-breakpoint
UPDATE "prices" SET "interval_unit" = 'month', "interval_count" = 1 WHERE "type" = 'usage' AND "interval_unit" IS NULL;
