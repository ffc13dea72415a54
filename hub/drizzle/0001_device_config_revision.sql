ALTER TABLE "devices" ADD COLUMN "published_config_revision" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "published_config_hash" text;