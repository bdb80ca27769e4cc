-- id: unused_volume_snapshots
-- title: Unattached EBS volume and its old snapshots
-- severity: medium
-- reads: ec2_ebs_volume_unattached, ec2_ebs_snapshot_old
-- window: 14d
-- priority: 50
-- savings: unattached volume + its old unused snapshots (sum of the known exact parts;
--   snapshot upper bounds, details.savings_bound = 'upper', only in details.upper_bound)
-- why: deleting a detached volume usually keeps one fresh snapshot; the old ones of the same
--   volume (no AMI uses them) go in the same clean-up. Snapshots name their volume in
--   details.volume_id.
WITH vol AS (
    SELECT * FROM src WHERE check_id = 'ec2_ebs_volume_unattached'
),
snaps AS (
    SELECT v.fingerprint AS gid, s.fingerprint, s.estimated_monthly_savings, s.details
    FROM vol v JOIN src s
      ON s.check_id = 'ec2_ebs_snapshot_old' AND s.account_id = v.account_id
     AND s.region = v.region AND lower(detail(s.details, 'volume_id')) = arn_id(v.resource_id)
),
grouped AS (
    SELECT gid, list(fingerprint) AS fps, count(*) AS n,
           money_sum(CASE WHEN detail(details, 'savings_bound') = 'upper' THEN NULL
                          ELSE estimated_monthly_savings END) AS savings,
           money_sum(estimated_monthly_savings) AS bound_savings,
           sum(CASE WHEN detail(details, 'savings_bound') = 'upper' THEN 1 ELSE 0 END) AS bound_parts
    FROM snaps GROUP BY gid
)
SELECT v.account_id, v.region, v.service, v.resource_type, v.resource_id, v.resource_name,
       list_sort(g.fps || [v.fingerprint]) AS source_fingerprints,
       money_add(v.estimated_monthly_savings, g.savings) AS estimated_monthly_savings,
       CAST(json_object('snapshots', g.n, 'upper_bound_parts', g.bound_parts,
                        'upper_bound', money_add(v.estimated_monthly_savings, g.bound_savings))
            AS VARCHAR) AS details
FROM vol v JOIN grouped g ON g.gid = v.fingerprint
