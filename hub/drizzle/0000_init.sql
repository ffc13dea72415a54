CREATE TABLE "analytics_summaries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "analytics_summaries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"period" text NOT NULL,
	"bucket_start" timestamp with time zone NOT NULL,
	"store_id" text NOT NULL,
	"camera_id" text NOT NULL,
	"zone_id" text,
	"visitors" integer DEFAULT 0 NOT NULL,
	"entries" integer DEFAULT 0 NOT NULL,
	"exits" integer DEFAULT 0 NOT NULL,
	"dwell_count" integer DEFAULT 0 NOT NULL,
	"total_dwell_ms" bigint DEFAULT 0 NOT NULL,
	"avg_dwell_ms" bigint GENERATED ALWAYS AS (CASE WHEN dwell_count > 0 THEN total_dwell_ms / dwell_count ELSE 0 END) STORED,
	"peak_occupancy" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "analytics_summaries_bucket_uq" UNIQUE NULLS NOT DISTINCT("period","bucket_start","store_id","camera_id","zone_id"),
	CONSTRAINT "analytics_summaries_period" CHECK ("analytics_summaries"."period" IN ('hour', 'day')),
	CONSTRAINT "analytics_summaries_counts" CHECK ("analytics_summaries"."visitors" >= 0 AND "analytics_summaries"."entries" >= 0 AND "analytics_summaries"."exits" >= 0 AND "analytics_summaries"."dwell_count" >= 0 AND "analytics_summaries"."total_dwell_ms" >= 0 AND "analytics_summaries"."peak_occupancy" >= 0)
);
--> statement-breakpoint
CREATE TABLE "cameras" (
	"id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"device_id" text,
	"name" text NOT NULL,
	"source" text NOT NULL,
	"fps" real,
	"frame_width" integer,
	"frame_height" integer,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cameras_fps_positive" CHECK ("cameras"."fps" IS NULL OR "cameras"."fps" > 0),
	CONSTRAINT "cameras_frame_size_positive" CHECK (("cameras"."frame_width" IS NULL OR "cameras"."frame_width" > 0) AND ("cameras"."frame_height" IS NULL OR "cameras"."frame_height" > 0))
);
--> statement-breakpoint
CREATE TABLE "counting_lines" (
	"id" text PRIMARY KEY NOT NULL,
	"camera_id" text NOT NULL,
	"name" text NOT NULL,
	"start" jsonb NOT NULL,
	"end" jsonb NOT NULL,
	"in_side" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "counting_lines_in_side" CHECK ("counting_lines"."in_side" IN ('left', 'right'))
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"store_id" text NOT NULL,
	"tracking_id" text NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"visit_count" integer DEFAULT 0 NOT NULL,
	"age_estimate" smallint,
	"gender_estimate" text,
	"face_encoding" real[],
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customers_store_tracking_uq" UNIQUE("store_id","tracking_id"),
	CONSTRAINT "customers_seen_order" CHECK ("customers"."last_seen_at" >= "customers"."first_seen_at"),
	CONSTRAINT "customers_visit_count" CHECK ("customers"."visit_count" >= 0),
	CONSTRAINT "customers_age" CHECK ("customers"."age_estimate" IS NULL OR "customers"."age_estimate" BETWEEN 0 AND 130),
	CONSTRAINT "customers_gender" CHECK ("customers"."gender_estimate" IS NULL OR "customers"."gender_estimate" IN ('female', 'male', 'unknown'))
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"name" text NOT NULL,
	"credential_hash" text,
	"software_version" text,
	"config_revision" integer DEFAULT 0 NOT NULL,
	"online" boolean DEFAULT false NOT NULL,
	"connection" integer DEFAULT 0 NOT NULL,
	"outbox_depth" integer DEFAULT 0 NOT NULL,
	"outbox_oldest_age_ms" bigint DEFAULT 0 NOT NULL,
	"last_seen_at" timestamp with time zone,
	"status_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "enrollment_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code_hash" text NOT NULL,
	"store_id" text NOT NULL,
	"created_by" uuid,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"device_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "enrollment_codes_hash_uq" UNIQUE("code_hash")
);
--> statement-breakpoint
CREATE TABLE "hub_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stores" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tracking_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "tracking_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
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
	CONSTRAINT "tracking_events_device_seq_uq" UNIQUE("device_id","seq"),
	CONSTRAINT "tracking_events_kind" CHECK ("tracking_events"."kind" IN ('track_started', 'track_ended', 'zone_entered', 'zone_left', 'line_crossed', 'visit_closed'))
);
--> statement-breakpoint
CREATE TABLE "user_stores" (
	"user_id" uuid NOT NULL,
	"store_id" text NOT NULL,
	CONSTRAINT "user_stores_pk" PRIMARY KEY("user_id","store_id")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" text NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"last_login_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_name_uq" UNIQUE("name"),
	CONSTRAINT "users_role" CHECK ("users"."role" IN ('admin', 'manager', 'viewer'))
);
--> statement-breakpoint
CREATE TABLE "visits" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "visits_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"store_id" text NOT NULL,
	"camera_id" text NOT NULL,
	"customer_id" uuid,
	"source_device_id" text,
	"source_seq" bigint,
	"track_id" bigint NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone NOT NULL,
	"duration_ms" bigint NOT NULL,
	"path" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "visits_source_uq" UNIQUE("source_device_id","source_seq"),
	CONSTRAINT "visits_order" CHECK ("visits"."ended_at" >= "visits"."started_at"),
	CONSTRAINT "visits_duration" CHECK ("visits"."duration_ms" >= 0)
);
--> statement-breakpoint
CREATE TABLE "zone_visits" (
	"visit_id" bigint NOT NULL,
	"zone_id" text NOT NULL,
	"store_id" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"dwell_ms" bigint NOT NULL,
	"entries" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "zone_visits_pk" PRIMARY KEY("visit_id","zone_id"),
	CONSTRAINT "zone_visits_dwell" CHECK ("zone_visits"."dwell_ms" >= 0 AND "zone_visits"."entries" >= 0)
);
--> statement-breakpoint
CREATE TABLE "zones" (
	"id" text PRIMARY KEY NOT NULL,
	"camera_id" text NOT NULL,
	"name" text NOT NULL,
	"polygon" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "analytics_summaries" ADD CONSTRAINT "analytics_summaries_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_summaries" ADD CONSTRAINT "analytics_summaries_camera_id_cameras_id_fk" FOREIGN KEY ("camera_id") REFERENCES "cameras"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_summaries" ADD CONSTRAINT "analytics_summaries_zone_id_zones_id_fk" FOREIGN KEY ("zone_id") REFERENCES "zones"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cameras" ADD CONSTRAINT "cameras_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cameras" ADD CONSTRAINT "cameras_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "counting_lines" ADD CONSTRAINT "counting_lines_camera_id_cameras_id_fk" FOREIGN KEY ("camera_id") REFERENCES "cameras"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollment_codes" ADD CONSTRAINT "enrollment_codes_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollment_codes" ADD CONSTRAINT "enrollment_codes_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollment_codes" ADD CONSTRAINT "enrollment_codes_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracking_events" ADD CONSTRAINT "tracking_events_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracking_events" ADD CONSTRAINT "tracking_events_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracking_events" ADD CONSTRAINT "tracking_events_camera_id_cameras_id_fk" FOREIGN KEY ("camera_id") REFERENCES "cameras"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_stores" ADD CONSTRAINT "user_stores_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_stores" ADD CONSTRAINT "user_stores_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_camera_id_cameras_id_fk" FOREIGN KEY ("camera_id") REFERENCES "cameras"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zone_visits" ADD CONSTRAINT "zone_visits_visit_id_visits_id_fk" FOREIGN KEY ("visit_id") REFERENCES "visits"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zone_visits" ADD CONSTRAINT "zone_visits_zone_id_zones_id_fk" FOREIGN KEY ("zone_id") REFERENCES "zones"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zone_visits" ADD CONSTRAINT "zone_visits_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zones" ADD CONSTRAINT "zones_camera_id_cameras_id_fk" FOREIGN KEY ("camera_id") REFERENCES "cameras"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analytics_summaries_store_idx" ON "analytics_summaries" USING btree ("store_id","period","bucket_start");--> statement-breakpoint
CREATE INDEX "analytics_summaries_camera_idx" ON "analytics_summaries" USING btree ("camera_id","period","bucket_start");--> statement-breakpoint
CREATE INDEX "analytics_summaries_zone_idx" ON "analytics_summaries" USING btree ("zone_id","period","bucket_start");--> statement-breakpoint
CREATE INDEX "cameras_store_idx" ON "cameras" USING btree ("store_id");--> statement-breakpoint
CREATE INDEX "cameras_device_idx" ON "cameras" USING btree ("device_id");--> statement-breakpoint
CREATE INDEX "counting_lines_camera_idx" ON "counting_lines" USING btree ("camera_id");--> statement-breakpoint
CREATE INDEX "customers_store_last_seen_idx" ON "customers" USING btree ("store_id","last_seen_at");--> statement-breakpoint
CREATE INDEX "devices_store_idx" ON "devices" USING btree ("store_id");--> statement-breakpoint
CREATE INDEX "enrollment_codes_store_idx" ON "enrollment_codes" USING btree ("store_id");--> statement-breakpoint
CREATE INDEX "tracking_events_store_at_idx" ON "tracking_events" USING btree ("store_id","at");--> statement-breakpoint
CREATE INDEX "tracking_events_camera_at_idx" ON "tracking_events" USING btree ("camera_id","at");--> statement-breakpoint
CREATE INDEX "tracking_events_zone_at_idx" ON "tracking_events" USING btree ("zone_id","at") WHERE "tracking_events"."zone_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "user_stores_store_idx" ON "user_stores" USING btree ("store_id");--> statement-breakpoint
CREATE INDEX "visits_store_started_idx" ON "visits" USING btree ("store_id","started_at");--> statement-breakpoint
CREATE INDEX "visits_camera_started_idx" ON "visits" USING btree ("camera_id","started_at");--> statement-breakpoint
CREATE INDEX "visits_customer_idx" ON "visits" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "zone_visits_zone_started_idx" ON "zone_visits" USING btree ("zone_id","started_at");--> statement-breakpoint
CREATE INDEX "zone_visits_store_started_idx" ON "zone_visits" USING btree ("store_id","started_at");--> statement-breakpoint
CREATE INDEX "zones_camera_idx" ON "zones" USING btree ("camera_id");