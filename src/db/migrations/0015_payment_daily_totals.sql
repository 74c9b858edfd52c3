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
-- refunded; net less the refunded amount), failed counts failures. `added` rows count, `removed` rows are
-- taken back; deltas are grouped per key, zero deltas dropped, and upserted in key order.
CREATE FUNCTION "payment_daily_totals_add"(added "payments"[], removed "payments"[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO "payment_daily_totals"
    ("organization_id", "livemode", "day", "currency", "shard", "gross", "net", "failed_count")
  SELECT d.organization_id, d.livemode, d.day, d.currency, (pg_backend_pid() % 1024)::smallint,
    d.gross, d.net, d.failed_count
  FROM (
    SELECT c.organization_id, c.livemode, (c.charge_date AT TIME ZONE 'UTC')::date AS day, c.currency,
      sum(c.sign * CASE WHEN c.status IN ('succeeded', 'refunded') THEN c.amount ELSE 0 END) AS gross,
      sum(c.sign * CASE WHEN c.status IN ('succeeded', 'refunded') THEN c.amount - c.refunded_amount ELSE 0 END)
        AS net,
      sum(c.sign * CASE WHEN c.status = 'failed' THEN 1 ELSE 0 END) AS failed_count
    FROM (
      SELECT 1 AS sign, a.* FROM unnest(added) a
      UNION ALL SELECT -1 AS sign, r.* FROM unnest(removed) r
    ) c
    GROUP BY 1, 2, 3, 4
  ) d
  WHERE d.gross <> 0 OR d.net <> 0 OR d.failed_count <> 0
  ORDER BY 1, 2, 3, 4
  ON CONFLICT ("organization_id", "livemode", "day", "currency", "shard") DO UPDATE
    SET "gross" = "payment_daily_totals"."gross" + excluded."gross",
      "net" = "payment_daily_totals"."net" + excluded."net",
      "failed_count" = "payment_daily_totals"."failed_count" + excluded."failed_count";
$$;--> statement-breakpoint
-- Every statement that writes payments passes the rows it wrote (new versions added, old ones taken back) in
-- its own transaction; only rows that can count are collected, so most writes cost one cheap scan.
CREATE FUNCTION "payment_daily_totals_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  added "payments"[] := '{}';
  removed "payments"[] := '{}';
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT coalesce(array_agg(n), '{}') INTO added FROM new_rows n
      WHERE n.status IN ('succeeded', 'refunded', 'failed');
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    SELECT coalesce(array_agg(o), '{}') INTO removed FROM old_rows o
      WHERE o.status IN ('succeeded', 'refunded', 'failed');
  END IF;
  IF cardinality(added) > 0 OR cardinality(removed) > 0 THEN
    PERFORM "payment_daily_totals_add"(added, removed);
  END IF;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "payments_daily_totals_insert" AFTER INSERT ON "payments"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "payment_daily_totals_apply"();
--> statement-breakpoint
CREATE TRIGGER "payments_daily_totals_update" AFTER UPDATE ON "payments"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "payment_daily_totals_apply"();
--> statement-breakpoint
CREATE TRIGGER "payments_daily_totals_delete" AFTER DELETE ON "payments"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "payment_daily_totals_apply"();
--> statement-breakpoint
-- TRUNCATE passes no rows to the triggers above: the totals are emptied with the payments.
CREATE FUNCTION "payment_daily_totals_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE "payment_daily_totals";
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "payments_daily_totals_truncate" AFTER TRUNCATE ON "payments"
  FOR EACH STATEMENT EXECUTE FUNCTION "payment_daily_totals_truncate"();
--> statement-breakpoint
-- The payments recorded before this migration, one day of one tenant at a time (bounded memory).
SELECT "payment_daily_totals_add"(array_agg(p), '{}')
FROM "payments" p WHERE p."status" IN ('succeeded', 'refunded', 'failed')
GROUP BY p."organization_id", p."livemode", (p."charge_date" AT TIME ZONE 'UTC')::date;
