CREATE TABLE "features" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"position" bigint GENERATED ALWAYS AS IDENTITY (sequence name "features_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"pricing_model_id" text NOT NULL,
	"type" text NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"amount" bigint,
	"renewal_frequency" text,
	"usage_meter_id" text,
	"resource_id" text,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "product_features" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"position" bigint GENERATED ALWAYS AS IDENTITY (sequence name "product_features_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"pricing_model_id" text NOT NULL,
	"product_id" text NOT NULL,
	"feature_id" text NOT NULL,
	"expired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "resource_claims" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"position" bigint GENERATED ALWAYS AS IDENTITY (sequence name "resource_claims_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"pricing_model_id" text NOT NULL,
	"subscription_id" text NOT NULL,
	"subscription_item_feature_id" text NOT NULL,
	"resource_id" text NOT NULL,
	"external_id" text,
	"metadata" jsonb,
	"claimed_at" timestamp with time zone NOT NULL,
	"released_at" timestamp with time zone,
	"release_reason" text
);
--> statement-breakpoint
CREATE TABLE "resources" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"position" bigint GENERATED ALWAYS AS IDENTITY (sequence name "resources_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"pricing_model_id" text NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscription_item_features" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"position" bigint GENERATED ALWAYS AS IDENTITY (sequence name "subscription_item_features_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"pricing_model_id" text NOT NULL,
	"subscription_id" text NOT NULL,
	"subscription_item_id" text NOT NULL,
	"feature_id" text NOT NULL,
	"product_feature_id" text,
	"amount" bigint,
	"manually_created" boolean NOT NULL,
	"expired_at" timestamp with time zone,
	"detached_at" timestamp with time zone,
	"detached_reason" text
);
--> statement-breakpoint
CREATE TABLE "usage_credit_applications" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"position" bigint GENERATED ALWAYS AS IDENTITY (sequence name "usage_credit_applications_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"subscription_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"usage_meter_id" text NOT NULL,
	"credit_key" text NOT NULL,
	"billing_period_id" text NOT NULL,
	"amount" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_distinct_values" (
	"subscription_id" text NOT NULL,
	"billing_period_id" text NOT NULL,
	"usage_meter_id" text NOT NULL,
	"value_hash" text NOT NULL,
	CONSTRAINT "usage_distinct_values_subscription_id_billing_period_id_usage_meter_id_value_hash_pk" PRIMARY KEY("subscription_id","billing_period_id","usage_meter_id","value_hash")
);
--> statement-breakpoint
CREATE TABLE "usage_events" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"position" bigint GENERATED ALWAYS AS IDENTITY (sequence name "usage_events_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"pricing_model_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"subscription_id" text NOT NULL,
	"usage_meter_id" text NOT NULL,
	"price_id" text,
	"billing_period_id" text,
	"amount" bigint NOT NULL,
	"usage_date" timestamp with time zone NOT NULL,
	"transaction_id" text NOT NULL,
	"properties" jsonb
);
--> statement-breakpoint
CREATE TABLE "usage_meters" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"position" bigint GENERATED ALWAYS AS IDENTITY (sequence name "usage_meters_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"pricing_model_id" text NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"aggregation_type" text DEFAULT 'sum' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_period_totals" (
	"organization_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"subscription_id" text NOT NULL,
	"billing_period_id" text NOT NULL,
	"usage_meter_id" text NOT NULL,
	"price_id" text NOT NULL,
	"total" bigint NOT NULL,
	"billed_total" bigint DEFAULT 0 NOT NULL,
	"event_count" bigint NOT NULL,
	CONSTRAINT "usage_period_totals_subscription_id_billing_period_id_usage_meter_id_price_id_pk" PRIMARY KEY("subscription_id","billing_period_id","usage_meter_id","price_id")
);
--> statement-breakpoint
ALTER TABLE "invoice_line_items" ADD COLUMN "type" text DEFAULT 'static' NOT NULL;--> statement-breakpoint
ALTER TABLE "invoice_line_items" ADD COLUMN "usage_meter_id" text;--> statement-breakpoint
ALTER TABLE "invoice_line_items" ADD COLUMN "credits_applied" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "invoice_line_items" ADD COLUMN "billing_period_id" text;--> statement-breakpoint
CREATE INDEX "features_organization_id_livemode_position_index" ON "features" USING btree ("organization_id","livemode","position");--> statement-breakpoint
CREATE UNIQUE INDEX "features_slug_per_pricing_model" ON "features" USING btree ("pricing_model_id","slug");--> statement-breakpoint
CREATE INDEX "product_features_organization_id_livemode_position_index" ON "product_features" USING btree ("organization_id","livemode","position");--> statement-breakpoint
CREATE INDEX "product_features_product_id_index" ON "product_features" USING btree ("product_id");--> statement-breakpoint
CREATE UNIQUE INDEX "product_features_one_live_per_pair" ON "product_features" USING btree ("product_id","feature_id") WHERE "product_features"."expired_at" is null;--> statement-breakpoint
CREATE INDEX "resource_claims_active" ON "resource_claims" USING btree ("subscription_id","resource_id") WHERE "resource_claims"."released_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "resource_claims_one_active_external_id" ON "resource_claims" USING btree ("subscription_id","resource_id","external_id") WHERE "resource_claims"."released_at" is null and "resource_claims"."external_id" is not null;--> statement-breakpoint
CREATE INDEX "resources_organization_id_livemode_position_index" ON "resources" USING btree ("organization_id","livemode","position");--> statement-breakpoint
CREATE UNIQUE INDEX "resources_slug_per_pricing_model" ON "resources" USING btree ("pricing_model_id","slug");--> statement-breakpoint
CREATE INDEX "subscription_item_features_organization_id_livemode_position_index" ON "subscription_item_features" USING btree ("organization_id","livemode","position");--> statement-breakpoint
CREATE INDEX "subscription_item_features_subscription_id_index" ON "subscription_item_features" USING btree ("subscription_id");--> statement-breakpoint
CREATE INDEX "usage_credit_applications_customer_id_usage_meter_id_index" ON "usage_credit_applications" USING btree ("customer_id","usage_meter_id");--> statement-breakpoint
CREATE UNIQUE INDEX "usage_credit_applications_once_per_period" ON "usage_credit_applications" USING btree ("credit_key","billing_period_id");--> statement-breakpoint
CREATE INDEX "usage_events_organization_id_livemode_position_index" ON "usage_events" USING btree ("organization_id","livemode","position");--> statement-breakpoint
CREATE UNIQUE INDEX "usage_events_transaction_per_tenant" ON "usage_events" USING btree ("organization_id","livemode","transaction_id");--> statement-breakpoint
CREATE INDEX "usage_meters_organization_id_livemode_position_index" ON "usage_meters" USING btree ("organization_id","livemode","position");--> statement-breakpoint
CREATE UNIQUE INDEX "usage_meters_slug_per_pricing_model" ON "usage_meters" USING btree ("pricing_model_id","slug");