CREATE TABLE "processor_connections" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"position" bigint GENERATED ALWAYS AS IDENTITY (sequence name "processor_connections_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"processor" text NOT NULL,
	"account_id" text NOT NULL,
	"publishable_key" text NOT NULL,
	"secret_key_sealed" text NOT NULL,
	"webhook_secret_sealed" text NOT NULL,
	"encryption_key_id" text NOT NULL,
	"secret_key_hint" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "processor_customers" (
	"customer_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"processor_account_id" text NOT NULL,
	"processor_customer_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "processor_customers_customer_id_processor_account_id_pk" PRIMARY KEY("customer_id","processor_account_id")
);
--> statement-breakpoint
ALTER TABLE "checkout_sessions" ADD COLUMN "processor" text DEFAULT 'sandbox' NOT NULL;--> statement-breakpoint
ALTER TABLE "payment_methods" ADD COLUMN "processor_customer_id" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "disputed_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "processor_connections_one_per_mode" ON "processor_connections" USING btree ("organization_id","livemode");