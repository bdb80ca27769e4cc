-- id: graviton_rightsize
-- title: Rightsize and migrate to Graviton as one move
-- severity: medium
-- reads: ec2_instance_graviton_candidate, ec2_instance_low_utilization,
--   rds_instance_graviton_candidate, rds_instance_low_cpu
-- window: 14d
-- priority: 20
-- savings: with c = details.current_monthly_cost, c*(1-(1-r/c)*(1-g/c)) = r + g - r*g/c;
--   without c the larger of the two (both are fractions of the same bill: never their sum)
-- why: an under-used instance that could also run on Graviton should change size and family in
--   one change window. The two recommendations overlap, so the smaller one (ties: the larger
--   fingerprint, as exclusive_alternatives breaks them) leaves the totals.
WITH g AS (
    SELECT * FROM src
    WHERE check_id IN ('ec2_instance_graviton_candidate', 'rds_instance_graviton_candidate')
),
u AS (
    SELECT * FROM src
    WHERE check_id IN ('ec2_instance_low_utilization', 'rds_instance_low_cpu')
),
pairs AS (
    SELECT u.*, g.fingerprint AS g_fp,
           g.estimated_monthly_savings AS gs, u.estimated_monthly_savings AS us,
           coalesce(TRY_CAST(detail(u.details, 'current_monthly_cost') AS DECIMAL(18,2)),
                    TRY_CAST(detail(g.details, 'current_monthly_cost') AS DECIMAL(18,2))) AS cost,
           coalesce(detail(g.details, 'recommended_type'),
                    detail(g.details, 'recommended_class')) AS graviton_target,
           coalesce(detail(u.details, 'recommendation'),
                    detail(u.details, 'recommended_class')) AS rightsize
    FROM u JOIN g
      ON g.resource_id = u.resource_id AND g.account_id = u.account_id AND g.region = u.region
)
SELECT account_id, region, service, resource_type, resource_id, resource_name,
       list_sort([fingerprint, g_fp]) AS source_fingerprints,
       CAST(CASE
           WHEN gs IS NULL OR us IS NULL THEN coalesce(gs, us)
           WHEN cost > 0 AND cost >= greatest(gs, us)
               THEN round(us + gs - (us * gs) / cost, 2)
           ELSE greatest(gs, us) END AS DECIMAL(18,2)) AS estimated_monthly_savings,
       CASE WHEN coalesce(gs, -1) > coalesce(us, -1)
                 OR (coalesce(gs, -1) = coalesce(us, -1) AND g_fp < fingerprint)
            THEN [fingerprint] ELSE [g_fp] END AS excluded_fingerprints,
       CAST(json_object('current_monthly_cost', CAST(cost AS VARCHAR),
                        'graviton_target', graviton_target, 'rightsize', rightsize)
            AS VARCHAR) AS details
FROM pairs
