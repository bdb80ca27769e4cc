-- id: exclusive_alternatives
-- title: Mutually exclusive recommendations: the highest saving is the primary
-- severity: medium
-- reads: *
-- window: 14d
-- priority: 30
-- savings: the primary alternative's savings (highest; ties broken by fingerprint)
-- why: findings that share an alternative_group are ways to solve the same cost (e.g. buy a
--   savings plan OR reserve instances); counting them all would double-count, so only the
--   primary stays in the totals.
WITH alt AS (
    SELECT *,
           row_number() OVER (PARTITION BY account_id, region, alternative_group
                              ORDER BY estimated_monthly_savings DESC NULLS LAST, fingerprint)
               AS rk
    FROM src WHERE alternative_group IS NOT NULL
),
grp AS (
    SELECT account_id, region, alternative_group, count(*) AS n,
           list_sort(list(fingerprint)) AS fps,
           list_sort(list(fingerprint) FILTER (WHERE rk > 1)) AS others
    FROM alt GROUP BY account_id, region, alternative_group
    HAVING count(*) > 1
)
SELECT p.account_id, p.region, p.service, p.resource_type, p.resource_id, p.resource_name,
       p.alternative_group, g.fps AS source_fingerprints,
       p.estimated_monthly_savings, g.others AS excluded_fingerprints,
       CAST(json_object('primary_check_id', p.check_id, 'alternatives', g.n) AS VARCHAR)
           AS details
FROM alt p
JOIN grp g ON g.account_id = p.account_id AND g.region = p.region
          AND g.alternative_group = p.alternative_group
WHERE p.rk = 1
