ALTER TABLE "subscriptions" ADD COLUMN "items_change_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "subscriptions_renewal_due" ON "subscriptions" USING btree ("current_billing_period_end") WHERE "subscriptions"."status" in ('active', 'trialing');--> statement-breakpoint
CREATE INDEX "subscriptions_cancellation_due" ON "subscriptions" USING btree ("cancel_scheduled_at") WHERE "subscriptions"."status" = 'cancellation_scheduled';--> statement-breakpoint
CREATE INDEX "subscriptions_items_change_due" ON "subscriptions" USING btree ("items_change_at") WHERE "subscriptions"."items_change_at" is not null;--> statement-breakpoint
CREATE INDEX "events_by_type" ON "events" USING btree ("organization_id","livemode","type","position");--> statement-breakpoint
CREATE INDEX "billing_portal_sessions_signed_out" ON "billing_portal_sessions" USING btree ("signed_out_at") WHERE "billing_portal_sessions"."signed_out_at" is not null;--> statement-breakpoint
-- Running subscriptions whose items start or end on a schedule get one visit from the sweep, which moves
-- items_change_at on to their next scheduled moment or clears it; no other subscription needs one.
UPDATE "subscriptions" s SET "items_change_at" = now()
WHERE s."status" in ('active', 'trialing', 'past_due', 'unpaid', 'paused', 'cancellation_scheduled')
  AND EXISTS (
    SELECT 1 FROM "subscription_items" i
    WHERE i."subscription_id" = s."id" AND (i."added_date" > i."created_at" OR i."expired_at" IS NOT NULL)
  );
