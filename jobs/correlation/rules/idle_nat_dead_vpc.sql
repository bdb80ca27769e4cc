-- id: idle_nat_dead_vpc
-- title: Idle NAT gateway in a VPC whose instances are all stopped
-- severity: high
-- reads: ec2_nat_gateway_idle, ec2_instance_stopped_long
-- window: 14d
-- priority: 50
-- savings: NAT gateway + the VPC's stopped instances (sum of the known parts)
-- why: nothing in the VPC runs, so the NAT gateway routes nothing; the VPC's compute and egress
--   go together. The NAT finding names its VPC (details.vpc_id); stopped instances name theirs
--   in details.vpc_id; "all stopped" needs the NAT finding's details.vpc_instance_count (equal
--   to the stopped count) or details.vpc_running_instances = 0.
WITH nat AS (
    SELECT *, detail(details, 'vpc_id') AS vpc_id FROM src
    WHERE check_id = 'ec2_nat_gateway_idle' AND detail(details, 'vpc_id') IS NOT NULL
),
stopped AS (
    SELECT account_id, region, detail(details, 'vpc_id') AS vpc_id,
           list(fingerprint) AS fps, count(*) AS n,
           money_sum(estimated_monthly_savings) AS savings
    FROM src
    WHERE check_id = 'ec2_instance_stopped_long' AND detail(details, 'vpc_id') IS NOT NULL
    GROUP BY account_id, region, detail(details, 'vpc_id')
)
SELECT n.account_id, n.region, n.service, n.resource_type, n.resource_id, n.resource_name,
       list_sort(s.fps || [n.fingerprint]) AS source_fingerprints,
       money_add(n.estimated_monthly_savings, s.savings) AS estimated_monthly_savings,
       CAST(json_object('vpc_id', n.vpc_id, 'stopped_instances', s.n) AS VARCHAR) AS details
FROM nat n
JOIN stopped s ON s.account_id = n.account_id AND s.region = n.region AND s.vpc_id = n.vpc_id
WHERE TRY_CAST(detail(n.details, 'vpc_running_instances') AS BIGINT) = 0
   OR TRY_CAST(detail(n.details, 'vpc_instance_count') AS BIGINT) = s.n
