"""What the simulated estate contains, decided from the seed alone (no AWS calls).

Keeping the plan pure means "same seed = same estate" is a property of one small function:
the seeders only execute it. Counts are per (account, region) cell; every kind gets at least
two resources per cell so each cell holds one injected waste resource and one healthy one.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

DEFAULT_REGIONS = ("us-east-1", "eu-west-1")
DEFAULT_RESOURCES = 2000
DEFAULT_ACCOUNTS = 3
MANAGEMENT_ACCOUNT = "123456789012"  # moto's default account: where plain credentials land

# kind -> (share of all resources, share of that kind injected as waste)
MIX: dict[str, tuple[float, float]] = {
    "ec2_instance": (0.33, 0.16),
    "ebs_volume": (0.15, 0.06),
    "ebs_snapshot": (0.12, 0.08),
    "ami": (0.04, 0.25),
    "elastic_ip": (0.04, 0.25),
    "nat_gateway": (0.01, 0.30),
    "load_balancer": (0.03, 0.30),
    "rds_instance": (0.02, 0.20),
    "rds_snapshot": (0.02, 0.30),
    "log_group": (0.08, 0.10),
    "s3_bucket": (0.03, 0.15),
    "dynamodb_table": (0.03, 0.20),
    "lambda_function": (0.04, 0.15),
    "ecr_repository": (0.02, 0.20),
    "secret": (0.02, 0.20),
    "redshift_cluster": (0.005, 0.30),
    "emr_cluster": (0.005, 0.30),
    "reserved_instance": (0.005, 0.30),
    # LOOKALIKE kinds: one waste resource and one healthy look-alike in each account's first
    # region (their proof needs one of each, not one per cell; seeding them costs time)
    "rds_previous_generation": (0.005, 0.5),
    "rds_graviton_candidate": (0.005, 0.5),
    "rds_low_cpu": (0.005, 0.5),
    "rds_multi_az_non_production": (0.005, 0.5),
    "rds_extended_support": (0.005, 0.5),
    "rds_snapshot_of_deleted": (0.005, 0.5),
    "monitored_instance": (0.005, 0.5),
    "low_use_volume": (0.005, 0.5),
    "overprovisioned_gp3": (0.005, 0.5),
    "x86_lambda": (0.005, 0.5),
    "long_timeout_lambda": (0.005, 0.5),
    "kms_key": (0.005, 0.5),
    "stale_log_group": (0.005, 0.5),
    "cache_cluster": (0.005, 0.5),
    "metric_alarm": (0.005, 0.5),
    "efs_file_system": (0.005, 0.5),
    "hosted_zone": (0.005, 0.5),
    "eks_cluster": (0.005, 0.5),
    "vpc_endpoint": (0.005, 0.5),
    "tgw_attachment": (0.005, 0.5),
    "sagemaker_endpoint": (0.005, 0.5),
    "notebook_instance": (0.005, 0.5),
    "opensearch_domain": (0.005, 0.5),
    "fsx_file_system": (0.005, 0.5),
    "ami_snapshot": (0.005, 0.5),
    "ecr_image": (0.005, 0.5),
    "rds_gp2_storage": (0.005, 0.5),
    "on_demand_table": (0.005, 0.5),
    "fargate_service": (0.005, 0.5),
    "dashboard": (0.005, 0.5),
    "aurora_cluster": (0.005, 0.5),
    "commitment_instance": (0.005, 0.5),
    "always_on_instance": (0.005, 0.5),
    "advised_instance": (0.005, 0.5),
    "advised_volume": (0.005, 0.5),
}

LOOKALIKE = frozenset({
    "rds_previous_generation",
    "rds_graviton_candidate",
    "rds_low_cpu",
    "rds_multi_az_non_production",
    "rds_extended_support",
    "rds_snapshot_of_deleted",
    "monitored_instance",
    "low_use_volume",
    "overprovisioned_gp3",
    "x86_lambda",
    "long_timeout_lambda",
    "kms_key",
    "stale_log_group",
    "cache_cluster",
    "metric_alarm",
    "efs_file_system",
    "hosted_zone",
    "eks_cluster",
    "vpc_endpoint",
    "tgw_attachment",
    "sagemaker_endpoint",
    "notebook_instance",
    "opensearch_domain",
    "fsx_file_system",
    "ami_snapshot",
    "ecr_image",
    "rds_gp2_storage",
    "on_demand_table",
    "fargate_service",
    "dashboard",
    "aurora_cluster",
    "commitment_instance",
    "always_on_instance",
    "advised_instance",
    "advised_volume",
})

# Several waste flavours share one resource kind; the waste budget of the kind is dealt
# round-robin over its flavours so each appears.
FLAVOURS: dict[str, tuple[str, ...]] = {
    "ec2_instance": ("stopped_instance", "idle_instance", "previous_generation_instance",
                     "graviton_candidate_instance"),
    "ebs_volume": ("unattached_volume",),
    "ebs_snapshot": ("old_snapshot", "orphaned_snapshot"),
    "ami": ("old_ami",),
    "elastic_ip": ("unassociated_eip",),
    "nat_gateway": ("idle_nat_gateway",),
    "load_balancer": ("lb_without_targets", "lb_with_stopped_targets", "clb_without_instances"),
    "rds_instance": ("idle_rds_instance",),
    "rds_snapshot": ("old_rds_snapshot",),
    "log_group": ("log_group_without_retention",),
    "s3_bucket": ("bucket_without_lifecycle",),
    "dynamodb_table": ("provisioned_table_without_autoscaling",),
    "lambda_function": ("overprovisioned_lambda",),
    "ecr_repository": ("ecr_repository_without_lifecycle",),
    "secret": ("unused_secret",),
    "redshift_cluster": ("idle_redshift_cluster",),
    "emr_cluster": ("idle_emr_cluster",),
    "reserved_instance": ("reserved_instance_expiring",),
    "rds_previous_generation": ("previous_generation_rds_instance",),
    "rds_graviton_candidate": ("graviton_candidate_rds_instance",),
    "rds_low_cpu": ("low_cpu_rds_instance",),
    "rds_multi_az_non_production": ("multi_az_non_production_rds_instance",),
    "rds_extended_support": ("extended_support_rds_instance",),
    "rds_snapshot_of_deleted": ("orphaned_rds_snapshot",),
    "monitored_instance": ("detailed_monitoring_instance",),
    "low_use_volume": ("low_use_volume",),
    "overprovisioned_gp3": ("overprovisioned_gp3_volume",),
    "x86_lambda": ("x86_lambda_function",),
    "long_timeout_lambda": ("long_timeout_lambda_function",),
    "kms_key": ("disabled_kms_key",),
    "stale_log_group": ("stale_log_group",),
    "cache_cluster": ("idle_cache_cluster",),
    "metric_alarm": ("orphaned_alarm",),
    "efs_file_system": ("efs_without_ia_lifecycle",),
    "hosted_zone": ("empty_hosted_zone",),
    "eks_cluster": ("idle_eks_cluster",),
    "vpc_endpoint": ("idle_vpc_endpoint",),
    "tgw_attachment": ("idle_tgw_attachment",),
    "sagemaker_endpoint": ("idle_sagemaker_endpoint",),
    "notebook_instance": ("long_running_notebook_instance",),
    "opensearch_domain": ("idle_opensearch_domain",),
    "fsx_file_system": ("idle_fsx_file_system",),
    "ami_snapshot": ("snapshot_of_deregistered_ami",),
    "ecr_image": ("old_ecr_image",),
    "rds_gp2_storage": ("gp2_storage_rds_instance",),
    "on_demand_table": ("steady_on_demand_table",),
    "fargate_service": ("x86_fargate_service",),
    "dashboard": ("unused_dashboard",),
    "aurora_cluster": ("io_heavy_aurora_cluster",),
    "commitment_instance": ("uncovered_on_demand_instance",),
    "always_on_instance": ("non_production_always_on_instance",),
    "advised_instance": ("aws_advised_instance",),
    "advised_volume": ("aws_advised_volume",),
}


@dataclass(frozen=True, slots=True)
class Cell:
    """One (account, region) of the estate and what to create there."""

    account_id: str
    region: str
    counts: dict[str, int]
    waste: dict[str, list[str]]  # kind -> waste flavour per waste slot (len = waste count)
    seed: int

    def rng(self, kind: str) -> random.Random:
        """A generator private to (seed, account, region, kind): kinds never disturb each other."""
        digest = hashlib.sha256(f"{self.seed}/{self.account_id}/{self.region}/{kind}".encode())
        return random.Random(int.from_bytes(digest.digest()[:8], "big"))


@dataclass(frozen=True, slots=True)
class EstatePlan:
    seed: int
    resources: int
    regions: tuple[str, ...]
    account_names: tuple[str, ...]
    cells: tuple[Cell, ...] = field(default=())


def plan_estate(
    seed: int = 42,
    resources: int = DEFAULT_RESOURCES,
    regions: tuple[str, ...] = DEFAULT_REGIONS,
    accounts: int = DEFAULT_ACCOUNTS,
) -> EstatePlan:
    """Deal `resources` over accounts x regions and kinds; ids of member accounts come later.

    The account ids are known only after the organization creates them (moto draws them from
    its seeded generator), so cells carry positional placeholders `acct-<n>` until `bind`.
    """
    if accounts < 1 or not regions or resources < 1:
        raise ValueError(f"estate needs >=1 account, region and resource: {accounts=} {regions=}")
    names = tuple(["management"] + [f"member-{i}" for i in range(1, accounts)])
    per_cell = resources / (accounts * len(regions))
    cells = []
    for a in range(accounts):
        for r, region in enumerate(regions):
            offset = a * len(regions) + r  # rotate flavours so small cells still cover all
            counts: dict[str, int] = {}
            waste: dict[str, list[str]] = {}
            for kind, (share, waste_share) in MIX.items():
                if kind in LOOKALIKE and r > 0:
                    counts[kind], waste[kind] = 0, []
                    continue
                n = max(2, round(per_cell * share))
                w = min(n - 1, max(1, round(n * waste_share)))
                flavours = FLAVOURS[kind]
                counts[kind] = n
                waste[kind] = [flavours[(i + offset) % len(flavours)] for i in range(w)]
            cells.append(Cell(f"acct-{a}", region, counts, waste, seed))
    return EstatePlan(seed, resources, tuple(regions), names, tuple(cells))


def bind_accounts(plan: EstatePlan, account_ids: list[str]) -> EstatePlan:
    """Replace the positional account placeholders with real account ids."""
    if len(account_ids) != len(plan.account_names):
        raise ValueError(f"{len(plan.account_names)} accounts planned, {len(account_ids)} given")
    cells = tuple(
        Cell(account_ids[int(c.account_id.split("-")[1])], c.region, c.counts, c.waste, c.seed)
        for c in plan.cells
    )
    return EstatePlan(plan.seed, plan.resources, plan.regions, plan.account_names, cells)
