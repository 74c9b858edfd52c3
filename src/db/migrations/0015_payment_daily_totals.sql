CREATE TABLE "payment_daily_totals" (
	"organization_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"day" date NOT NULL,
	"currency" text NOT NULL,
	"shard" smallint NOT NULL,
	"gross" bigint DEFAULT 0 NOT NULL,
	"net" bigint DEFAULT 0 NOT NULL,
	"failed_count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "payment_daily_totals_organization_id_livemode_day_currency_shard_pk" PRIMARY KEY("organization_id","livemode","day","currency","shard")
);
--> statement-breakpoint
-- The one definition of what a payment adds to its day: gross and net count settled payments (succeeded or
-- refunded; net less the refunded amount), failed counts failures. `sign` 1 adds the row, -1 takes it back.
CREATE FUNCTION "payment_daily_totals_count"(p "payments", sign integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  settled boolean := p.status IN ('succeeded', 'refunded');
  failed boolean := p.status = 'failed';
BEGIN
  IF NOT settled AND NOT failed THEN
    RETURN;
  END IF;
  INSERT INTO "payment_daily_totals"
    ("organization_id", "livemode", "day", "currency", "shard", "gross", "net", "failed_count")
  VALUES (p.organization_id, p.livemode, (p.charge_date AT TIME ZONE 'UTC')::date, p.currency,
    (pg_backend_pid() % 1024)::smallint,
    CASE WHEN settled THEN sign * p.amount ELSE 0 END,
    CASE WHEN settled THEN sign * (p.amount - p.refunded_amount) ELSE 0 END,
    CASE WHEN failed THEN sign ELSE 0 END)
  ON CONFLICT ("organization_id", "livemode", "day", "currency", "shard") DO UPDATE
    SET "gross" = "payment_daily_totals"."gross" + excluded."gross",
      "net" = "payment_daily_totals"."net" + excluded."net",
      "failed_count" = "payment_daily_totals"."failed_count" + excluded."failed_count";
END;
$$;--> statement-breakpoint
CREATE FUNCTION "payment_daily_totals_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM "payment_daily_totals_count"(OLD, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM "payment_daily_totals_count"(NEW, 1);
  END IF;
  RETURN NULL;
END;
$$;--> statement-breakpoint
-- The WHEN clauses are checked without calling the function: a payment inserted as processing, and an update
-- that leaves every counted column as it was, write nothing.
CREATE TRIGGER "payments_daily_totals_insert" AFTER INSERT ON "payments" FOR EACH ROW
  WHEN (NEW."status" IN ('succeeded', 'refunded', 'failed'))
  EXECUTE FUNCTION "payment_daily_totals_apply"();
--> statement-breakpoint
CREATE TRIGGER "payments_daily_totals_update" AFTER UPDATE ON "payments" FOR EACH ROW
  WHEN ((OLD."status", OLD."amount", OLD."refunded_amount", OLD."currency", OLD."charge_date", OLD."livemode",
      OLD."organization_id")
    IS DISTINCT FROM (NEW."status", NEW."amount", NEW."refunded_amount", NEW."currency", NEW."charge_date",
      NEW."livemode", NEW."organization_id"))
  EXECUTE FUNCTION "payment_daily_totals_apply"();
--> statement-breakpoint
CREATE TRIGGER "payments_daily_totals_delete" AFTER DELETE ON "payments" FOR EACH ROW
  WHEN (OLD."status" IN ('succeeded', 'refunded', 'failed'))
  EXECUTE FUNCTION "payment_daily_totals_apply"();
--> statement-breakpoint
-- TRUNCATE fires no row triggers: the totals are emptied with the payments.
CREATE FUNCTION "payment_daily_totals_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE "payment_daily_totals";
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "payments_daily_totals_truncate" AFTER TRUNCATE ON "payments"
  FOR EACH STATEMENT EXECUTE FUNCTION "payment_daily_totals_truncate"();
--> statement-breakpoint
-- The payments recorded before this migration.
SELECT "payment_daily_totals_count"(p, 1) FROM "payments" p WHERE p."status" IN ('succeeded', 'refunded', 'failed');
