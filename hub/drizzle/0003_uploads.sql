CREATE TABLE "upload_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"store_id" text NOT NULL,
	"camera_id" text NOT NULL,
	"device_id" text,
	"created_by" uuid,
	"file_name" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"detector" text NOT NULL,
	"fps" real,
	"start_time" timestamp with time zone NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"frames_done" integer DEFAULT 0 NOT NULL,
	"frames_total" integer,
	"processing_fps" real,
	"error" text,
	"summary" jsonb,
	"first_seq" bigint,
	"last_seq" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "upload_jobs_state" CHECK ("upload_jobs"."state" IN ('queued', 'processing', 'done', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "upload_jobs" ADD CONSTRAINT "upload_jobs_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upload_jobs" ADD CONSTRAINT "upload_jobs_camera_id_cameras_id_fk" FOREIGN KEY ("camera_id") REFERENCES "cameras"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upload_jobs" ADD CONSTRAINT "upload_jobs_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upload_jobs" ADD CONSTRAINT "upload_jobs_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "upload_jobs_store_idx" ON "upload_jobs" USING btree ("store_id","created_at");