ALTER TABLE "devices" ADD COLUMN "replaces_device_id" text;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "replaced_by" text;