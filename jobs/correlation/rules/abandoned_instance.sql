-- id: abandoned_instance
-- title: Abandoned EC2 instance: stopped for weeks, still paying for its volumes and addresses
-- severity: high
-- reads: ec2_instance_stopped_long, ec2_ebs_volume_on_stopped_instance
-- window: 14d
-- priority: 50
-- savings: stopped instance (its Elastic IPs) + its EBS volumes (sum of the known parts)
-- why: terminating the instance (after a final snapshot) removes the addresses and volumes
--   with it: one decision, not three. A volume belongs to the instance when the volume's
--   details.instances lists it or the instance's details.volumes lists the volume.
WITH inst AS (
    SELECT *, arn_id(resource_id) AS instance_id FROM src
    WHERE check_id = 'ec2_instance_stopped_long'
),
vols AS (
    SELECT *, arn_id(resource_id) AS volume_id FROM src
    WHERE check_id = 'ec2_ebs_volume_on_stopped_instance'
),
parts AS (
    SELECT i.fingerprint AS gid, v.fingerprint, v.estimated_monthly_savings
    FROM inst i
    JOIN vols v
      ON v.account_id = i.account_id AND v.region = i.region
     AND (list_contains(list_transform(detail_list(v.details, 'instances'), lambda x: lower(x)),
                        i.instance_id)
          OR list_contains(list_transform(detail_list(i.details, 'volumes'), lambda x: lower(x)),
                           v.volume_id))
),
grouped AS (
    SELECT gid, list(DISTINCT fingerprint) AS fps, count(DISTINCT fingerprint) AS volumes,
           money_sum(estimated_monthly_savings) AS parts_savings
    FROM parts GROUP BY gid
)
SELECT i.account_id, i.region, i.service, i.resource_type, i.resource_id, i.resource_name,
       list_sort(g.fps || [i.fingerprint]) AS source_fingerprints,
       money_add(i.estimated_monthly_savings, g.parts_savings) AS estimated_monthly_savings,
       CAST(json_object('volumes', g.volumes,
                        'elastic_ips', len(detail_list(i.details, 'elastic_ips')))
            AS VARCHAR) AS details
FROM inst i JOIN grouped g ON g.gid = i.fingerprint
