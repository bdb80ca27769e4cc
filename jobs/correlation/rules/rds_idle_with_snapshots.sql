-- id: rds_idle_with_snapshots
-- title: Idle RDS instance with old manual snapshots of the same database
-- severity: high
-- reads: rds_instance_idle, rds_snapshot_manual_old
-- window: 14d
-- priority: 50
-- savings: idle instance + its old manual snapshots (sum of the known exact parts;
--   snapshot upper bounds, details.savings_bound = 'upper', only in details.upper_bound)
-- why: take one final snapshot, delete the instance and the older manual snapshots: one
--   clean-up of one database. Snapshots name their database in details.source_instance.
WITH db AS (
    SELECT * FROM src WHERE check_id = 'rds_instance_idle'
),
snaps AS (
    SELECT db.fingerprint AS gid, s.fingerprint, s.estimated_monthly_savings, s.details
    FROM db JOIN src s
      ON s.check_id = 'rds_snapshot_manual_old' AND s.account_id = db.account_id
     AND s.region = db.region
     AND lower(coalesce(detail(s.details, 'source_instance'),
                        detail(s.details, 'db_instance_id'))) = arn_id(db.resource_id)
),
grouped AS (
    SELECT gid, list(fingerprint) AS fps, count(*) AS n,
           money_sum(CASE WHEN detail(details, 'savings_bound') = 'upper' THEN NULL
                          ELSE estimated_monthly_savings END) AS savings,
           money_sum(estimated_monthly_savings) AS bound_savings,
           sum(CASE WHEN detail(details, 'savings_bound') = 'upper' THEN 1 ELSE 0 END) AS bound_parts
    FROM snaps GROUP BY gid
)
SELECT db.account_id, db.region, db.service, db.resource_type, db.resource_id, db.resource_name,
       list_sort(g.fps || [db.fingerprint]) AS source_fingerprints,
       money_add(db.estimated_monthly_savings, g.savings) AS estimated_monthly_savings,
       CAST(json_object('manual_snapshots', g.n, 'upper_bound_parts', g.bound_parts,
                        'upper_bound', money_add(db.estimated_monthly_savings, g.bound_savings))
            AS VARCHAR) AS details
FROM db JOIN grouped g ON g.gid = db.fingerprint
