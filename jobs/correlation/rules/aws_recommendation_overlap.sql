-- id: aws_recommendation_overlap
-- title: AWS's recommendation and ours on the same resource: one of them counts
-- severity: low
-- reads: *
-- window: 14d
-- priority: 20
-- savings: the winning side's savings (ours when we price one of our findings on the resource
--   exactly, else AWS's figure)
-- why: Cost Optimization Hub and Compute Optimizer advise on the resources our checks judge;
--   counting both would double-count one cost. The rule: our finding wins when it is priced
--   exactly (a figure with its formula and catalog terms, which the window re-prices at the
--   customer's own bill rates); otherwise AWS's figure wins if AWS gave one (a figure after
--   discounts beats our lower or upper bound or our unknown); with no AWS figure ours stays.
--   Only our findings that are alternatives for the resource (an alternative_group other than
--   the billing model: commitment purchases are not read from AWS) take part. Priority 20:
--   after delete_dominates_tuning (removal beats tuning among ours), before
--   exclusive_alternatives (the best of the remaining alternatives within each side).
--   When ours wins the meta-finding's sources are AWS's findings only (all excluded), so an
--   earlier exclusion among ours cannot overrule it.
WITH aws AS (
    SELECT * FROM src
    WHERE check_id IN ('cost_optimization_hub_recommendation', 'compute_optimizer_ec2_instance',
                       'compute_optimizer_ebs_volume')
),
ours AS (
    SELECT * FROM src
    WHERE check_id NOT IN ('cost_optimization_hub_recommendation',
                           'compute_optimizer_ec2_instance', 'compute_optimizer_ebs_volume')
      AND alternative_group IS NOT NULL AND NOT ends_with(alternative_group, '#billing-model')
),
res AS (
    SELECT a.account_id, a.region, a.resource_id,
           list_sort(list(DISTINCT a.fingerprint)) AS aws_fps,
           max(a.estimated_monthly_savings) AS aws_best,
           count(a.estimated_monthly_savings) > 0 AS aws_priced
    FROM aws a GROUP BY ALL
),
mine AS (
    SELECT o.account_id, o.region, o.resource_id,
           list_sort(list(DISTINCT o.fingerprint)) AS our_fps,
           list_sort(list(DISTINCT o.check_id)) AS our_checks,
           max(o.estimated_monthly_savings) FILTER (
               WHERE json_extract_string(o.details, '$.savings_bound') IS NULL) AS our_exact
    FROM ours o GROUP BY ALL
),
decided AS (
    SELECT r.*, m.our_fps, m.our_checks, m.our_exact,
           (m.our_exact IS NULL AND r.aws_priced) AS aws_wins
    FROM res r JOIN mine m
      ON m.account_id = r.account_id AND m.region = r.region AND m.resource_id = r.resource_id
)
SELECT d.account_id, d.region, a.service, a.resource_type, d.resource_id, a.resource_name,
       CASE WHEN d.aws_wins THEN list_sort(d.aws_fps || d.our_fps) ELSE d.aws_fps END
           AS source_fingerprints,
       CASE WHEN d.aws_wins THEN d.aws_best ELSE d.our_exact END AS estimated_monthly_savings,
       CASE WHEN d.aws_wins THEN d.our_fps ELSE d.aws_fps END AS excluded_fingerprints,
       CAST(json_object('winner', CASE WHEN d.aws_wins THEN 'aws' ELSE 'ours' END,
                        'our_checks', array_to_string(d.our_checks, ','),
                        'our_fingerprints', array_to_string(d.our_fps, ','),
                        'aws_fingerprints', array_to_string(d.aws_fps, ',')) AS VARCHAR)
           AS details
FROM decided d
JOIN aws a ON a.fingerprint = d.aws_fps[1]
