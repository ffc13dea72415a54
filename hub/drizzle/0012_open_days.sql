CREATE TABLE "store_open_days" (
	"store_id" text NOT NULL,
	"day" date NOT NULL,
	"gen" bigint DEFAULT 1 NOT NULL,
	"computed_gen" bigint,
	"hours_key" text,
	"visitors" bigint DEFAULT 0 NOT NULL,
	"entries" bigint DEFAULT 0 NOT NULL,
	"exits" bigint DEFAULT 0 NOT NULL,
	"dwell_count" bigint DEFAULT 0 NOT NULL,
	"total_dwell_ms" bigint DEFAULT 0 NOT NULL,
	"peak" integer DEFAULT 0 NOT NULL,
	"hours" integer DEFAULT 0 NOT NULL,
	"busiest_start" timestamp with time zone,
	"busiest_visitors" bigint DEFAULT 0 NOT NULL,
	"hour_visitors" bigint[],
	CONSTRAINT "store_open_days_pk" PRIMARY KEY("store_id","day")
);
--> statement-breakpoint
ALTER TABLE "store_open_days" ADD CONSTRAINT "store_open_days_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Removing live whole-camera hours (a rebuild's delete, a camera or recording removed) moves the
-- generation of their store-local days, so those day rows are computed again before they are trusted
-- (hub/src/db/repositories/open-days.ts). Inserts and updates move it from the summaries' own upsert,
-- which locks the days first and in order (two statement triggers would lock them in two passes).
CREATE FUNCTION "store_open_days_touch"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO "store_open_days" ("store_id", "day")
	SELECT DISTINCT c."store_id", (c."bucket_start" AT TIME ZONE s."timezone")::date
	FROM "changed" c JOIN "stores" s ON s."id" = c."store_id"
	WHERE c."period" = 'hour' AND c."zone_id" IS NULL AND c."upload_id" IS NULL
	ORDER BY 1, 2
	ON CONFLICT ("store_id", "day") DO UPDATE SET "gen" = "store_open_days"."gen" + 1;
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "analytics_summaries_open_days_del" AFTER DELETE ON "analytics_summaries"
	REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "store_open_days_touch"();
