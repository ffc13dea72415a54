-- Every device with stored events gets its progress row: the gap-free run of seqs from 1 (events and
-- dead letters). Without it, the first batch after the upgrade would find that run inside its
-- ingest transaction, over the device's whole history.
INSERT INTO "device_progress" ("device_id", "acked_up_to")
SELECT "device_id", coalesce(max("seq") FILTER (WHERE "grp" = 0), 0) FROM (
	SELECT "device_id", "seq", "seq" - row_number() OVER (PARTITION BY "device_id" ORDER BY "seq") AS "grp" FROM (
		SELECT "device_id", "seq" FROM "tracking_events"
		UNION SELECT "device_id", "seq" FROM "dead_letters"
	) AS "stored"
) AS "runs"
WHERE "device_id" IN (SELECT "id" FROM "devices")
GROUP BY "device_id"
ON CONFLICT ("device_id") DO NOTHING;
