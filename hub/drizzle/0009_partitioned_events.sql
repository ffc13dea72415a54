-- Custom migration (hub/drizzle/README: written by hand, schema.ts declares the same columns and keys).
-- 1. tracking_events becomes partitioned by month of "at" (UTC), with a default partition for events
--    whose clock is outside every month created. Existing rows are copied with their ids; the unique
--    key becomes (device_id, seq, at): a partitioned table's unique keys must contain the partition key.
-- 2. stores.raw_retention_days, and the daily flow and heatmap summaries that outlive the raw data,
--    filled here from the data already stored.
ALTER TABLE "tracking_events" RENAME TO "tracking_events_unpartitioned";--> statement-breakpoint
ALTER TABLE "tracking_events_unpartitioned" DROP CONSTRAINT "tracking_events_pkey";--> statement-breakpoint
ALTER TABLE "tracking_events_unpartitioned" DROP CONSTRAINT "tracking_events_device_seq_uq";--> statement-breakpoint
DROP INDEX "tracking_events_upload_idx";--> statement-breakpoint
DROP INDEX "tracking_events_store_at_idx";--> statement-breakpoint
DROP INDEX "tracking_events_camera_at_idx";--> statement-breakpoint
DROP INDEX "tracking_events_zone_at_idx";--> statement-breakpoint
ALTER TABLE "tracking_events_unpartitioned" ALTER COLUMN "id" DROP IDENTITY;--> statement-breakpoint
CREATE TABLE "tracking_events" (
	"id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
	"device_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"store_id" text NOT NULL,
	"camera_id" text NOT NULL,
	"track_id" bigint NOT NULL,
	"zone_id" text,
	"line_id" text,
	"payload" jsonb NOT NULL,
	"upload_id" uuid,
	CONSTRAINT "tracking_events_kind" CHECK ("tracking_events"."kind" IN ('track_started', 'track_ended', 'zone_entered', 'zone_left', 'line_crossed', 'visit_closed'))
) PARTITION BY RANGE ("at");--> statement-breakpoint
CREATE TABLE "tracking_events_default" PARTITION OF "tracking_events" DEFAULT;--> statement-breakpoint
-- Adds the partition of one UTC month (named tracking_events_YYYY_MM) unless it exists; events of that
-- month waiting in the default partition move into it. The retention job calls it for the months ahead.
CREATE FUNCTION "tracking_events_add_month"(month_start date) RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
	part text := 'tracking_events_' || to_char(month_start, 'YYYY_MM');
	lo timestamptz := date_trunc('month', month_start)::timestamp AT TIME ZONE 'UTC';
	hi timestamptz := (date_trunc('month', month_start) + interval '1 month')::timestamp AT TIME ZONE 'UTC';
BEGIN
	IF to_regclass(part) IS NOT NULL THEN
		RETURN false;
	END IF;
	LOCK TABLE tracking_events IN ACCESS EXCLUSIVE MODE;
	CREATE TEMP TABLE tracking_events_moving ON COMMIT DROP AS
		SELECT * FROM tracking_events_default WHERE at >= lo AND at < hi;
	DELETE FROM tracking_events_default WHERE at >= lo AND at < hi;
	EXECUTE format('CREATE TABLE %I PARTITION OF tracking_events FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
	INSERT INTO tracking_events OVERRIDING SYSTEM VALUE SELECT * FROM tracking_events_moving;
	DROP TABLE tracking_events_moving;
	RETURN true;
END
$fn$;--> statement-breakpoint
-- The months of the stored events (at most three years back) up to three months ahead.
DO $$
DECLARE
	this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
	m date;
BEGIN
	SELECT greatest(least(coalesce(date_trunc('month', min("at") AT TIME ZONE 'UTC')::date, this_month), this_month),
			(this_month - interval '36 months')::date)
		INTO m FROM "tracking_events_unpartitioned";
	WHILE m <= this_month + interval '3 months' LOOP
		PERFORM "tracking_events_add_month"(m);
		m := (m + interval '1 month')::date;
	END LOOP;
END
$$;--> statement-breakpoint
INSERT INTO "tracking_events" ("id", "device_id", "seq", "kind", "at", "received_at", "store_id", "camera_id",
		"track_id", "zone_id", "line_id", "payload", "upload_id")
	OVERRIDING SYSTEM VALUE
	SELECT "id", "device_id", "seq", "kind", "at", "received_at", "store_id", "camera_id",
		"track_id", "zone_id", "line_id", "payload", "upload_id"
	FROM "tracking_events_unpartitioned";--> statement-breakpoint
SELECT setval(pg_get_serial_sequence('tracking_events', 'id'), coalesce(max("id"), 0) + 1, false) FROM "tracking_events";--> statement-breakpoint
DROP TABLE "tracking_events_unpartitioned";--> statement-breakpoint
ALTER TABLE "tracking_events" ADD CONSTRAINT "tracking_events_pk" PRIMARY KEY("id","at");--> statement-breakpoint
ALTER TABLE "tracking_events" ADD CONSTRAINT "tracking_events_device_seq_at_uq" UNIQUE("device_id","seq","at");--> statement-breakpoint
ALTER TABLE "tracking_events" ADD CONSTRAINT "tracking_events_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracking_events" ADD CONSTRAINT "tracking_events_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracking_events" ADD CONSTRAINT "tracking_events_camera_id_cameras_id_fk" FOREIGN KEY ("camera_id") REFERENCES "cameras"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracking_events" ADD CONSTRAINT "tracking_events_upload_id_upload_jobs_id_fk" FOREIGN KEY ("upload_id") REFERENCES "upload_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tracking_events_upload_idx" ON "tracking_events" USING btree ("upload_id") WHERE "tracking_events"."upload_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "tracking_events_store_at_idx" ON "tracking_events" USING btree ("store_id","at");--> statement-breakpoint
CREATE INDEX "tracking_events_camera_at_idx" ON "tracking_events" USING btree ("camera_id","at");--> statement-breakpoint
CREATE INDEX "tracking_events_zone_at_idx" ON "tracking_events" USING btree ("zone_id","at") WHERE "tracking_events"."zone_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "tracking_events_track_zone_idx" ON "tracking_events" USING btree ("device_id","camera_id","track_id","at") WHERE "tracking_events"."kind" = 'zone_entered';--> statement-breakpoint
CREATE TABLE "heatmap_cell_days" (
	"day" date NOT NULL,
	"store_id" text NOT NULL,
	"camera_id" text NOT NULL,
	"cell_x" smallint NOT NULL,
	"cell_y" smallint NOT NULL,
	"count" integer NOT NULL,
	"upload_id" uuid,
	CONSTRAINT "heatmap_cell_days_uq" UNIQUE NULLS NOT DISTINCT("camera_id","day","cell_x","cell_y","upload_id"),
	CONSTRAINT "heatmap_cell_days_cell" CHECK ("heatmap_cell_days"."cell_x" BETWEEN 0 AND 63 AND "heatmap_cell_days"."cell_y" BETWEEN 0 AND 47 AND "heatmap_cell_days"."count" >= 0)
);--> statement-breakpoint
CREATE TABLE "zone_flow_days" (
	"day" date NOT NULL,
	"store_id" text NOT NULL,
	"camera_id" text NOT NULL,
	"from_zone_id" text,
	"to_zone_id" text NOT NULL,
	"count" integer NOT NULL,
	"upload_id" uuid,
	CONSTRAINT "zone_flow_days_uq" UNIQUE NULLS NOT DISTINCT("store_id","day","camera_id","from_zone_id","to_zone_id","upload_id"),
	CONSTRAINT "zone_flow_days_count" CHECK ("zone_flow_days"."count" >= 0)
);--> statement-breakpoint
ALTER TABLE "stores" ADD COLUMN "raw_retention_days" integer DEFAULT 400;--> statement-breakpoint
ALTER TABLE "heatmap_cell_days" ADD CONSTRAINT "heatmap_cell_days_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "heatmap_cell_days" ADD CONSTRAINT "heatmap_cell_days_camera_id_cameras_id_fk" FOREIGN KEY ("camera_id") REFERENCES "cameras"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "heatmap_cell_days" ADD CONSTRAINT "heatmap_cell_days_upload_id_upload_jobs_id_fk" FOREIGN KEY ("upload_id") REFERENCES "upload_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zone_flow_days" ADD CONSTRAINT "zone_flow_days_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zone_flow_days" ADD CONSTRAINT "zone_flow_days_camera_id_cameras_id_fk" FOREIGN KEY ("camera_id") REFERENCES "cameras"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zone_flow_days" ADD CONSTRAINT "zone_flow_days_upload_id_upload_jobs_id_fk" FOREIGN KEY ("upload_id") REFERENCES "upload_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "heatmap_cell_days_store_idx" ON "heatmap_cell_days" USING btree ("store_id","day");--> statement-breakpoint
CREATE INDEX "zone_flow_days_camera_idx" ON "zone_flow_days" USING btree ("camera_id","day");--> statement-breakpoint
ALTER TABLE "stores" ADD CONSTRAINT "stores_raw_retention_days" CHECK ("stores"."raw_retention_days" IS NULL OR "stores"."raw_retention_days" BETWEEN 1 AND 36500);--> statement-breakpoint
-- Flows between areas per store-local day, from the stored zone_entered events (the same query as the
-- rebuild's, hub/src/db/repositories/movement-summaries.ts).
INSERT INTO "zone_flow_days" ("day", "store_id", "camera_id", "from_zone_id", "to_zone_id", "upload_id", "count")
	SELECT "day", "store_id", "camera_id", "prev_zone", "zone_id", "upload_id", count(*)::int FROM (
		SELECT e."store_id", e."camera_id", e."zone_id", e."upload_id", (e."at" AT TIME ZONE s."timezone")::date AS "day",
			lag(e."zone_id") OVER (PARTITION BY e."device_id", e."camera_id", e."track_id", e."upload_id",
				(e."at" AT TIME ZONE s."timezone")::date ORDER BY e."at", e."seq") AS "prev_zone"
		FROM "tracking_events" e JOIN "stores" s ON s."id" = e."store_id"
		WHERE e."kind" = 'zone_entered' AND e."zone_id" IS NOT NULL
	) f
	WHERE "prev_zone" IS DISTINCT FROM "zone_id"
	GROUP BY 1, 2, 3, 4, 5, 6;--> statement-breakpoint
-- Heatmap cells per store-local day from the stored visit paths (cameras whose picture size is known).
INSERT INTO "heatmap_cell_days" ("day", "store_id", "camera_id", "cell_x", "cell_y", "upload_id", "count")
	SELECT "day", "store_id", "camera_id",
		least(floor("x" * 64 / "w")::int, 63), least(floor("y" * 48 / "h")::int, 47), "upload_id", count(*)::int
	FROM (
		SELECT v."store_id", v."camera_id", v."upload_id", (v."started_at" AT TIME ZONE s."timezone")::date AS "day",
			(p->'point'->>0)::float8 AS "x", (p->'point'->>1)::float8 AS "y",
			c."frame_width"::float8 AS "w", c."frame_height"::float8 AS "h"
		FROM "visits" v JOIN "stores" s ON s."id" = v."store_id" JOIN "cameras" c ON c."id" = v."camera_id"
			CROSS JOIN LATERAL jsonb_array_elements(v."path") AS p
		WHERE c."frame_width" IS NOT NULL AND c."frame_height" IS NOT NULL AND jsonb_typeof(v."path") = 'array'
	) pts
	WHERE "x" >= 0 AND "y" >= 0 AND "x" <= "w" AND "y" <= "h"
	GROUP BY 1, 2, 3, 4, 5, 6;