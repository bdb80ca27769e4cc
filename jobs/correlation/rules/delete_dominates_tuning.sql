-- id: delete_dominates_tuning
-- title: Remove rather than tune: the resource is unused, its tuning recommendations are moot
-- severity: medium
-- reads: ec2_instance_stopped, ec2_instance_idle, ebs_volume_unattached,
--   ebs_volume_stopped_instance, rds_instance_idle, ebs_volume_gp2_to_gp3,
--   ec2_graviton_candidate, ec2_instance_low_utilization, ec2_instance_previous_generation,
--   rds_instance_rightsize
-- window: 14d
-- savings: the removal's savings only (tuning saves a part of a bill that removal saves whole)
-- why: an idle or stopped resource that is also flagged for rightsizing, gp3 or Graviton would
--   be counted twice; removal supersedes the tuning findings, which leave the totals.
WITH removal AS (
    SELECT * FROM src
    WHERE check_id IN ('ec2_instance_stopped', 'ec2_instance_idle', 'ebs_volume_unattached',
                       'ebs_volume_stopped_instance', 'rds_instance_idle')
),
tuning AS (
    SELECT * FROM src
    WHERE check_id IN ('ebs_volume_gp2_to_gp3', 'ec2_graviton_candidate',
                       'ec2_instance_low_utilization', 'ec2_instance_previous_generation',
                       'rds_instance_rightsize')
),
pairs AS (
    SELECT r.fingerprint AS gid, list_sort(list(t.fingerprint)) AS tuned,
           list_sort(list(t.check_id)) AS tuning_checks
    FROM removal r JOIN tuning t ON t.resource_id = r.resource_id
    GROUP BY r.fingerprint
)
SELECT r.account_id, r.region, r.service, r.resource_type, r.resource_id, r.resource_name,
       list_sort(p.tuned || [r.fingerprint]) AS source_fingerprints,
       r.estimated_monthly_savings, p.tuned AS excluded_fingerprints,
       CAST(json_object('removal_check_id', r.check_id,
                        'superseded', array_to_string(p.tuning_checks, ',')) AS VARCHAR)
           AS details
FROM removal r JOIN pairs p ON p.gid = r.fingerprint
