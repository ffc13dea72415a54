ALTER TABLE "tracking_events" DROP CONSTRAINT "tracking_events_device_id_devices_id_fk";
--> statement-breakpoint
ALTER TABLE "tracking_events" DROP CONSTRAINT "tracking_events_store_id_stores_id_fk";
--> statement-breakpoint
ALTER TABLE "tracking_events" DROP CONSTRAINT "tracking_events_camera_id_cameras_id_fk";
--> statement-breakpoint
ALTER TABLE "tracking_events" DROP CONSTRAINT "tracking_events_upload_id_upload_jobs_id_fk";
--> statement-breakpoint
-- Deleting a device, store, camera or recording deletes its events, as the foreign keys' cascade did:
-- one statement per deleting statement instead of one key check per inserted event.
CREATE FUNCTION "tracking_events_cascade"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
	IF TG_TABLE_NAME = 'devices' THEN
		DELETE FROM tracking_events WHERE device_id IN (SELECT id FROM gone);
	ELSIF TG_TABLE_NAME = 'stores' THEN
		DELETE FROM tracking_events WHERE store_id IN (SELECT id FROM gone);
	ELSIF TG_TABLE_NAME = 'cameras' THEN
		DELETE FROM tracking_events WHERE camera_id IN (SELECT id FROM gone);
	ELSIF TG_TABLE_NAME = 'upload_jobs' THEN
		DELETE FROM tracking_events WHERE upload_id IN (SELECT id FROM gone);
	END IF;
	RETURN NULL;
END;
$fn$;--> statement-breakpoint
CREATE TRIGGER "tracking_events_cascade" AFTER DELETE ON "devices" REFERENCING OLD TABLE AS gone
	FOR EACH STATEMENT EXECUTE FUNCTION "tracking_events_cascade"();--> statement-breakpoint
CREATE TRIGGER "tracking_events_cascade" AFTER DELETE ON "stores" REFERENCING OLD TABLE AS gone
	FOR EACH STATEMENT EXECUTE FUNCTION "tracking_events_cascade"();--> statement-breakpoint
CREATE TRIGGER "tracking_events_cascade" AFTER DELETE ON "cameras" REFERENCING OLD TABLE AS gone
	FOR EACH STATEMENT EXECUTE FUNCTION "tracking_events_cascade"();--> statement-breakpoint
CREATE TRIGGER "tracking_events_cascade" AFTER DELETE ON "upload_jobs" REFERENCING OLD TABLE AS gone
	FOR EACH STATEMENT EXECUTE FUNCTION "tracking_events_cascade"();
