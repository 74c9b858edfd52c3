DROP INDEX "checkout_sessions_status_expires_at_index";--> statement-breakpoint
DROP INDEX "checkout_sessions_customer_id_index";--> statement-breakpoint
CREATE INDEX "checkout_sessions_in_play" ON "checkout_sessions" USING btree ("status","expires_at") WHERE "checkout_sessions"."status" in ('open', 'pending');--> statement-breakpoint
CREATE INDEX "checkout_sessions_customer_id" ON "checkout_sessions" USING btree ("customer_id") WHERE "checkout_sessions"."customer_id" is not null;