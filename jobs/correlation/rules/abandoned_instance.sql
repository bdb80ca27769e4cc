-- id: abandoned_instance
-- title: Abandoned EC2 instance: stopped, still paying for its EBS volumes and Elastic IPs
-- severity: high
-- reads: ec2_instance_stopped, ebs_volume_stopped_instance, ec2_eip_idle
-- window: 14d
-- savings: stopped instance + its volumes + its addresses (sum of the known parts)
-- why: terminating the instance (after a final snapshot) removes all of them: one decision.
--   Volumes and addresses name their instance in details.instance_id.
WITH inst AS (
    SELECT * FROM src WHERE check_id = 'ec2_instance_stopped'
),
parts AS (
    SELECT i.fingerprint AS gid, s.fingerprint, s.estimated_monthly_savings, s.resource_type
    FROM inst i
    JOIN src s
      ON s.account_id = i.account_id AND s.region = i.region
     AND lower(detail(s.details, 'instance_id')) = arn_id(i.resource_id)
    WHERE s.check_id IN ('ebs_volume_stopped_instance', 'ec2_eip_idle')
),
grouped AS (
    SELECT gid,
           list(fingerprint) AS fps,
           money_sum(estimated_monthly_savings) AS parts_savings,
           count(*) FILTER (WHERE resource_type = 'AWS::EC2::Volume') AS volumes,
           count(*) FILTER (WHERE resource_type = 'AWS::EC2::EIP') AS addresses
    FROM parts GROUP BY gid
)
SELECT i.account_id, i.region, i.service, i.resource_type, i.resource_id, i.resource_name,
       list_sort(g.fps || [i.fingerprint]) AS source_fingerprints,
       money_add(i.estimated_monthly_savings, g.parts_savings) AS estimated_monthly_savings,
       CAST(json_object('volumes', g.volumes, 'addresses', g.addresses) AS VARCHAR) AS details
FROM inst i JOIN grouped g ON g.gid = i.fingerprint
