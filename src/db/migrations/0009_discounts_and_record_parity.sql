CREATE TABLE "discount_redemptions" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"position" bigint GENERATED ALWAYS AS IDENTITY (sequence name "discount_redemptions_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"discount_id" text NOT NULL,
	"checkout_session_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"purchase_id" text,
	"subscription_id" text,
	"discount_name" text NOT NULL,
	"discount_code" text NOT NULL,
	"discount_amount_type" text NOT NULL,
	"discount_amount" bigint NOT NULL,
	"duration" text NOT NULL,
	"number_of_payments" integer,
	"payments_applied" integer DEFAULT 0 NOT NULL,
	"fully_redeemed" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "discounts" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"position" bigint GENERATED ALWAYS AS IDENTITY (sequence name "discounts_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"pricing_model_id" text NOT NULL,
	"name" text NOT NULL,
	"code" text NOT NULL,
	"amount_type" text NOT NULL,
	"amount" bigint NOT NULL,
	"duration" text NOT NULL,
	"number_of_payments" integer,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
ALTER TABLE "invoice_line_items" ADD COLUMN "pricing_model_id" text;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "discount_amount" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "discount_redemption_id" text;--> statement-breakpoint
ALTER TABLE "checkout_sessions" ADD COLUMN "discount_id" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "billing_period_id" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "description" text;--> statement-breakpoint
CREATE INDEX "discount_redemptions_organization_id_livemode_position_index" ON "discount_redemptions" USING btree ("organization_id","livemode","position");--> statement-breakpoint
CREATE INDEX "discount_redemptions_discount_id_index" ON "discount_redemptions" USING btree ("discount_id");--> statement-breakpoint
CREATE UNIQUE INDEX "discount_redemptions_one_per_checkout_session" ON "discount_redemptions" USING btree ("checkout_session_id");--> statement-breakpoint
CREATE INDEX "discount_redemptions_running" ON "discount_redemptions" USING btree ("subscription_id") WHERE "discount_redemptions"."subscription_id" is not null and not "discount_redemptions"."fully_redeemed";--> statement-breakpoint
CREATE INDEX "discounts_organization_id_livemode_position_index" ON "discounts" USING btree ("organization_id","livemode","position");--> statement-breakpoint
CREATE UNIQUE INDEX "discounts_code_per_pricing_model" ON "discounts" USING btree ("pricing_model_id",lower("code"));--> statement-breakpoint
-- Records already written take the shapes Flowglad's types declare.
UPDATE "invoice_line_items" AS l SET "pricing_model_id" = i."pricing_model_id" FROM "invoices" AS i WHERE i."id" = l."invoice_id";--> statement-breakpoint
UPDATE "payments" AS p SET "billing_period_id" = i."billing_period_id" FROM "invoices" AS i WHERE i."id" = p."invoice_id" AND i."billing_period_id" IS NOT NULL;--> statement-breakpoint
UPDATE "invoices" AS i SET "status" = CASE WHEN p."refunded_amount" >= p."amount" THEN 'refunded' ELSE 'partially_refunded' END FROM "payments" AS p WHERE p."invoice_id" = i."id" AND p."refunded_amount" > 0 AND i."status" = 'paid';--> statement-breakpoint
UPDATE "payments" SET "status" = 'succeeded' WHERE "status" = 'partially_refunded';
