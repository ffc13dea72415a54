ALTER TABLE "analytics_summaries" DROP CONSTRAINT "analytics_summaries_bucket_uq";--> statement-breakpoint
ALTER TABLE "analytics_summaries" ADD COLUMN "upload_id" uuid;--> statement-breakpoint
ALTER TABLE "tracking_events" ADD COLUMN "upload_id" uuid;--> statement-breakpoint
ALTER TABLE "visits" ADD COLUMN "upload_id" uuid;--> statement-breakpoint
ALTER TABLE "zone_visits" ADD COLUMN "upload_id" uuid;--> statement-breakpoint
ALTER TABLE "analytics_summaries" ADD CONSTRAINT "analytics_summaries_upload_id_upload_jobs_id_fk" FOREIGN KEY ("upload_id") REFERENCES "upload_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracking_events" ADD CONSTRAINT "tracking_events_upload_id_upload_jobs_id_fk" FOREIGN KEY ("upload_id") REFERENCES "upload_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visits" ADD CONSTRAINT "visits_upload_id_upload_jobs_id_fk" FOREIGN KEY ("upload_id") REFERENCES "upload_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zone_visits" ADD CONSTRAINT "zone_visits_upload_id_upload_jobs_id_fk" FOREIGN KEY ("upload_id") REFERENCES "upload_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analytics_summaries_upload_idx" ON "analytics_summaries" USING btree ("upload_id") WHERE "analytics_summaries"."upload_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "tracking_events_upload_idx" ON "tracking_events" USING btree ("upload_id") WHERE "tracking_events"."upload_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "visits_upload_idx" ON "visits" USING btree ("upload_id") WHERE "visits"."upload_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_summaries" ADD CONSTRAINT "analytics_summaries_bucket_uq" UNIQUE NULLS NOT DISTINCT("period","bucket_start","store_id","camera_id","zone_id","upload_id");--> statement-breakpoint
-- Recordings counted before this version: their events and visits are found by their job's seq range.
UPDATE "tracking_events" e SET "upload_id" = j."id" FROM "upload_jobs" j
  WHERE e."device_id" = j."device_id" AND e."seq" BETWEEN j."first_seq" AND j."last_seq";--> statement-breakpoint
UPDATE "visits" v SET "upload_id" = j."id" FROM "upload_jobs" j
  WHERE v."source_device_id" = j."device_id" AND v."source_seq" BETWEEN j."first_seq" AND j."last_seq";--> statement-breakpoint
UPDATE "zone_visits" z SET "upload_id" = v."upload_id" FROM "visits" v
  WHERE z."visit_id" = v."id" AND v."upload_id" IS NOT NULL;
