-- id: lb_dead_targets
-- title: Load balancer with no healthy targets: every target is a stopped instance
-- severity: high
-- reads: elb_load_balancer_no_targets, elb_classic_load_balancer_idle, ec2_instance_stopped_long
-- window: 14d
-- priority: 50
-- savings: load balancer + its stopped target instances (sum of the known parts)
-- why: the service behind the balancer is switched off, not broken: retire both together. The
--   balancer lists its targets in details.target_instance_ids (JSON list or a,b,c); the rule
--   fires only when no target is healthy and every listed target is a stopped-instance finding.
WITH lb AS (
    SELECT *, detail_list(details, 'target_instance_ids') AS targets FROM src
    WHERE check_id IN ('elb_load_balancer_no_targets', 'elb_classic_load_balancer_idle')
      AND coalesce(TRY_CAST(detail(details, 'healthy_targets') AS BIGINT),
                   TRY_CAST(detail(details, 'in_service_instances') AS BIGINT), 0) = 0
),
targets AS (
    SELECT fingerprint AS lb_fp, account_id, region, lower(unnest(targets)) AS instance_id
    FROM lb
),
matched AS (
    SELECT t.lb_fp, t.instance_id, s.fingerprint, s.estimated_monthly_savings
    FROM targets t
    LEFT JOIN src s
      ON s.check_id = 'ec2_instance_stopped_long' AND s.account_id = t.account_id
     AND s.region = t.region AND arn_id(s.resource_id) = t.instance_id
),
agg AS (
    SELECT lb_fp, count(DISTINCT instance_id) AS n_targets,
           count(DISTINCT instance_id) FILTER (WHERE fingerprint IS NOT NULL) AS n_stopped,
           list(DISTINCT fingerprint) FILTER (WHERE fingerprint IS NOT NULL) AS fps,
           money_sum(estimated_monthly_savings) AS savings
    FROM matched GROUP BY lb_fp
)
SELECT lb.account_id, lb.region, lb.service, lb.resource_type, lb.resource_id, lb.resource_name,
       list_sort(a.fps || [lb.fingerprint]) AS source_fingerprints,
       money_add(lb.estimated_monthly_savings, a.savings) AS estimated_monthly_savings,
       CAST(json_object('targets', a.n_targets) AS VARCHAR) AS details
FROM lb JOIN agg a ON a.lb_fp = lb.fingerprint
WHERE a.n_targets > 0 AND a.n_stopped = a.n_targets
