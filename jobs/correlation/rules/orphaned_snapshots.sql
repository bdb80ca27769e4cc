-- id: orphaned_snapshots
-- title: Orphaned snapshots: their source is deleted and no image uses them
-- severity: medium
-- reads: ec2_ebs_snapshot_old, rds_snapshot_orphaned
-- window: 14d
-- priority: 50
-- savings: sum of the snapshots' exact monthly storage; upper bounds (details.savings_bound =
--   'upper': incremental snapshots) are never summed as exact: they go to details.upper_bound
-- why: a snapshot that no AMI uses (ec2_ebs_snapshot_old only reports those) and whose source
--   volume is gone restores nothing anyone runs; all the snapshots of one vanished source are
--   one clean-up. The volume is gone when details.volume_exists is false or the volume id is
--   AWS's placeholder vol-ffffffff (copied snapshots); RDS snapshots of a deleted instance
--   (rds_snapshot_orphaned, details.source_instance) are grouped the same way.
WITH snaps AS (
    SELECT *, lower(coalesce(detail(details, 'volume_id'), 'unknown')) AS source, 'ebs' AS kind
    FROM src
    WHERE check_id = 'ec2_ebs_snapshot_old'
      AND (lower(coalesce(detail(details, 'volume_exists'), '')) = 'false'
           OR lower(detail(details, 'volume_id')) = 'vol-ffffffff')
    UNION ALL
    SELECT *, lower(coalesce(detail(details, 'source_instance'), 'unknown')) AS source,
           'rds' AS kind
    FROM src
    WHERE check_id = 'rds_snapshot_orphaned'
)
SELECT account_id, region, kind AS service,
       'FinOps::Correlation::Group' AS resource_type,
       'orphaned-snapshots-' || kind || '-' || source AS resource_id,
       list_sort(list(fingerprint)) AS source_fingerprints,
       money_sum(CASE WHEN detail(details, 'savings_bound') = 'upper' THEN NULL
                          ELSE estimated_monthly_savings END) AS estimated_monthly_savings,
       CAST(json_object('source', source, 'kind', kind, 'snapshots', count(*),
                        'upper_bound_parts', sum(CASE WHEN detail(details, 'savings_bound') = 'upper' THEN 1 ELSE 0 END),
                        'upper_bound', money_sum(estimated_monthly_savings)) AS VARCHAR)
           AS details
FROM snaps
GROUP BY account_id, region, kind, source
