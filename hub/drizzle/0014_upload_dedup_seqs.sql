ALTER TABLE "device_progress" ADD COLUMN "next_recording_seq" bigint;--> statement-breakpoint
ALTER TABLE "upload_jobs" ADD COLUMN "start_time_given" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "upload_jobs" ADD COLUMN "content_sha256" text;--> statement-breakpoint
CREATE UNIQUE INDEX "upload_jobs_content_uq" ON "upload_jobs" USING btree ("camera_id","content_sha256") WHERE "upload_jobs"."state" <> 'failed' AND "upload_jobs"."content_sha256" IS NOT NULL;