-- id: orphaned_snapshots
-- title: Orphaned EBS snapshots: source volume deleted and AMI deregistered
-- severity: medium
-- reads: ebs_snapshot_old, ebs_snapshot_orphaned
-- window: 14d
-- savings: sum of the snapshots' monthly storage savings
-- why: a snapshot whose volume and image are both gone restores nothing anyone runs; all the
--   snapshots of one vanished volume are one clean-up. Needs details.volume_exists = false and
--   either no details.image_id or details.image_exists = false.
WITH snaps AS (
    SELECT *, lower(coalesce(detail(details, 'volume_id'), 'unknown')) AS volume_id
    FROM src
    WHERE lower(coalesce(detail(details, 'volume_exists'), '')) = 'false'
      AND (detail(details, 'image_id') IS NULL
           OR lower(coalesce(detail(details, 'image_exists'), '')) = 'false')
)
SELECT account_id, region, 'ec2' AS service,
       'FinOps::Correlation::Group' AS resource_type,
       'orphaned-snapshots-' || volume_id AS resource_id,
       list_sort(list(fingerprint)) AS source_fingerprints,
       money_sum(estimated_monthly_savings) AS estimated_monthly_savings,
       CAST(json_object('volume_id', volume_id, 'snapshots', count(*)) AS VARCHAR) AS details
FROM snaps
GROUP BY account_id, region, volume_id
