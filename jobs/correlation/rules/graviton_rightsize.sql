-- id: graviton_rightsize
-- title: Rightsize and migrate to Graviton as one move
-- severity: medium
-- reads: ec2_graviton_candidate, ec2_instance_low_utilization
-- window: 14d
-- savings: c*(1-(1-r/c)*(1-g/c)) = r + g - r*g/c with c = details.current_monthly_cost; without
--   c, the larger of the two (both are fractions of the same bill: never their sum)
-- why: an under-used instance that could also run on Graviton should change size and family in
--   one change window; the two recommendations overlap, so the smaller leaves the totals.
WITH g AS (SELECT * FROM src WHERE check_id = 'ec2_graviton_candidate'),
     u AS (SELECT * FROM src WHERE check_id = 'ec2_instance_low_utilization'),
pairs AS (
    SELECT u.*, g.fingerprint AS g_fp,
           g.estimated_monthly_savings AS gs, u.estimated_monthly_savings AS us,
           coalesce(TRY_CAST(detail(u.details, 'current_monthly_cost') AS DECIMAL(18,2)),
                    TRY_CAST(detail(g.details, 'current_monthly_cost') AS DECIMAL(18,2))) AS cost
    FROM u JOIN g ON g.resource_id = u.resource_id AND g.account_id = u.account_id
)
SELECT account_id, region, service, resource_type, resource_id, resource_name,
       list_sort([fingerprint, g_fp]) AS source_fingerprints,
       CAST(CASE
           WHEN gs IS NULL OR us IS NULL THEN coalesce(gs, us)
           WHEN cost > 0 AND cost >= greatest(gs, us)
               THEN round(us + gs - (us * gs) / cost, 2)
           ELSE greatest(gs, us) END AS DECIMAL(18,2)) AS estimated_monthly_savings,
       CASE WHEN coalesce(gs, 0) >= coalesce(us, 0) THEN [fingerprint] ELSE [g_fp] END
           AS excluded_fingerprints,
       CAST(json_object('current_monthly_cost', CAST(cost AS VARCHAR)) AS VARCHAR) AS details
FROM pairs
