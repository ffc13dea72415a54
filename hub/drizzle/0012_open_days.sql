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
-- A change to any live whole-camera hour of a store moves the generation of that store-local day, so
-- the day row is recomputed before it is read again (hub/src/db/repositories/open-days.ts).
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
CREATE TRIGGER "analytics_summaries_open_days_ins" AFTER INSERT ON "analytics_summaries"
	REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "store_open_days_touch"();
--> statement-breakpoint
CREATE TRIGGER "analytics_summaries_open_days_upd" AFTER UPDATE ON "analytics_summaries"
	REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "store_open_days_touch"();
--> statement-breakpoint
CREATE TRIGGER "analytics_summaries_open_days_del" AFTER DELETE ON "analytics_summaries"
	REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "store_open_days_touch"();
