-- id: delete_dominates_tuning
-- title: Remove rather than tune: the resource is unused, its tuning recommendations are moot
-- severity: medium
-- reads: ec2_instance_stopped_long, ec2_ebs_volume_unattached,
--   ec2_ebs_volume_on_stopped_instance, ec2_ebs_volume_low_use, rds_instance_idle,
--   elb_load_balancer_idle, ec2_ebs_gp2_to_gp3, ec2_ebs_io_to_gp3,
--   ec2_instance_graviton_candidate, ec2_instance_low_utilization,
--   ec2_instance_previous_generation, rds_instance_low_cpu, rds_instance_graviton_candidate,
--   rds_instance_previous_generation, rds_instance_extended_support
-- window: 14d
-- priority: 10
-- savings: the removal's savings only (tuning saves part of a bill that removal saves whole)
-- why: a stopped, idle or detached resource that is also flagged for rightsizing, gp3 or
--   Graviton would be counted twice, and the tuning saving of a stopped instance is not real.
--   Removal supersedes the tuning findings, which leave the totals; this rule runs first
--   (priority 10), so exclusive_alternatives cannot then drop the removal for a larger but moot
--   tuning estimate.
WITH removal AS (
    SELECT * FROM src
    WHERE check_id IN ('ec2_instance_stopped_long', 'ec2_ebs_volume_unattached',
                       'ec2_ebs_volume_on_stopped_instance', 'ec2_ebs_volume_low_use',
                       'rds_instance_idle', 'elb_load_balancer_idle')
),
tuning AS (
    SELECT * FROM src
    WHERE check_id IN ('ec2_ebs_gp2_to_gp3', 'ec2_ebs_io_to_gp3',
                       'ec2_instance_graviton_candidate', 'ec2_instance_low_utilization',
                       'ec2_instance_previous_generation', 'rds_instance_low_cpu',
                       'rds_instance_graviton_candidate', 'rds_instance_previous_generation',
                       'rds_instance_extended_support')
),
pairs AS (
    SELECT r.fingerprint AS gid, list_sort(list(t.fingerprint)) AS tuned,
           list_sort(list(t.check_id)) AS tuning_checks
    FROM removal r JOIN tuning t
      ON t.resource_id = r.resource_id AND t.account_id = r.account_id
    GROUP BY r.fingerprint
)
SELECT r.account_id, r.region, r.service, r.resource_type, r.resource_id, r.resource_name,
       list_sort(p.tuned || [r.fingerprint]) AS source_fingerprints,
       r.estimated_monthly_savings, p.tuned AS excluded_fingerprints,
       CAST(json_object('removal_check_id', r.check_id,
                        'superseded', array_to_string(p.tuning_checks, ',')) AS VARCHAR)
           AS details
FROM removal r JOIN pairs p ON p.gid = r.fingerprint
