"""Run the plan: create the organization and its accounts, then fill every (account, region)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from moto.moto_api._internal import mock_random

from estate import (
    seed_advice,
    seed_commitment,
    seed_data,
    seed_data_services,
    seed_ec2,
    seed_idle,
    seed_lb,
    seed_platform,
    seed_rds_tuning,
    seed_storage,
    seed_tuning,
)
from estate.clients import ClientFactory
from estate.context import SeedCell
from estate.manifest import Manifest
from estate.metrics import MetricWriter
from estate.plan import MANAGEMENT_ACCOUNT, EstatePlan, bind_accounts

log = logging.getLogger(__name__)
ORG_ROLE = "OrganizationAccountAccessRole"


def create_organization(clients: ClientFactory, names: tuple[str, ...]) -> list[str]:
    """The management account plus one member account per further name; moto creates
    `OrganizationAccountAccessRole` in each member, as AWS Organizations does."""
    org = clients.get("organizations", "us-east-1", MANAGEMENT_ACCOUNT)
    org.create_organization(FeatureSet="ALL")
    ids = [MANAGEMENT_ACCOUNT]
    for name in names[1:]:
        status = org.create_account(Email=f"{name}@estate.example", AccountName=name,
                                    RoleName=ORG_ROLE)["CreateAccountStatus"]
        ids.append(status["AccountId"])
    return ids


def seed_cell(sc: SeedCell) -> None:
    compute = seed_ec2.seed_network(sc)
    images: list[str] = []
    steps: list[tuple[str, Callable[[], object]]] = [
        ("ami", lambda: images.extend(seed_ec2.seed_amis(sc, compute))),
        ("ec2_instance", lambda: seed_ec2.seed_instances(sc, compute, images)),
        ("ebs_volume", lambda: seed_ec2.seed_volumes(sc, compute)),
        ("ebs_snapshot", lambda: seed_ec2.seed_snapshots(sc, compute)),
        ("elastic_ip", lambda: seed_ec2.seed_eips(sc, compute)),
        ("nat_gateway", lambda: seed_ec2.seed_nat_gateways(sc, compute)),
        ("reserved_instance", lambda: seed_ec2.seed_reserved_instances(sc)),
        ("load_balancer", lambda: seed_lb.seed_load_balancers(sc, compute, images[0])),
        ("rds", lambda: seed_data.seed_rds(sc)),
        ("dynamodb_table", lambda: seed_data.seed_dynamodb(sc)),
        ("redshift_cluster", lambda: seed_data.seed_redshift(sc)),
        ("emr_cluster", lambda: seed_data.seed_emr(sc)),
        ("log_group", lambda: seed_storage.seed_log_groups(sc)),
        ("s3_bucket", lambda: seed_storage.seed_buckets(sc)),
        ("ecr_repository", lambda: seed_storage.seed_ecr(sc)),
        ("secret", lambda: seed_storage.seed_secrets(sc)),
        ("lambda_function", lambda: seed_storage.seed_lambdas(sc)),
        *[(kind, lambda kind=kind: seed_rds_tuning.seed_rds_tuning(sc, kind))
          for kind in seed_rds_tuning.SHAPES],
        ("rds_snapshot_of_deleted", lambda: seed_rds_tuning.seed_orphaned_rds_snapshots(sc)),
        ("monitored_instance",
         lambda: seed_tuning.seed_monitored_instances(sc, compute, images[0])),
        ("tuned_volume", lambda: seed_tuning.seed_tuned_volumes(sc, compute)),
        ("tuned_lambda", lambda: seed_tuning.seed_tuned_lambdas(sc)),
        ("kms_key", lambda: seed_idle.seed_kms_keys(sc)),
        ("stale_log_group", lambda: seed_idle.seed_stale_log_groups(sc)),
        ("cache_cluster", lambda: seed_idle.seed_cache_clusters(sc)),
        ("efs_file_system", lambda: seed_tuning.seed_file_systems(sc)),
        ("hosted_zone", lambda: seed_idle.seed_hosted_zones(sc)),
        ("metric_alarm", lambda: seed_idle.seed_alarms(
            sc, compute.healthy_volumes[0] if compute.healthy_volumes
            else seed_ec2._root_volume(sc, compute.running[0]))),
        ("eks_cluster", lambda: seed_platform.seed_eks_clusters(sc, compute)),
        ("vpc_endpoint", lambda: seed_platform.seed_vpc_endpoints(sc, compute)),
        ("tgw_attachment", lambda: seed_platform.seed_tgw_attachments(sc)),
        ("sagemaker_endpoint", lambda: seed_platform.seed_sagemaker_endpoints(sc)),
        ("notebook_instance", lambda: seed_platform.seed_notebook_instances(sc)),
        ("opensearch_domain", lambda: seed_platform.seed_opensearch_domains(sc)),
        ("fsx_file_system", lambda: seed_platform.seed_fsx_file_systems(sc, compute)),
        ("ami_snapshot",
         lambda: seed_data_services.seed_deregistered_ami_snapshots(sc, compute.running[0])),
        ("ecr_image", lambda: seed_data_services.seed_ecr_images(sc)),
        ("on_demand_table", lambda: seed_data_services.seed_on_demand_tables(sc)),
        ("fargate_service", lambda: seed_data_services.seed_fargate_services(sc)),
        ("dashboard", lambda: seed_data_services.seed_dashboards(sc, compute.running[0])),
        ("aurora_cluster", lambda: seed_data_services.seed_aurora_clusters(sc)),
        ("commitment_instance",
         lambda: seed_commitment.seed_commitment_pairs(sc, compute, images[0])),
        ("always_on_instance", lambda: seed_commitment.seed_always_on_pairs(sc, compute, images[0])),
        ("advised_instance", lambda: seed_advice.seed_advised(sc, compute, images[0])),
        ("fleet", lambda: seed_commitment.settle_fleet(sc)),  # last: every instance exists
    ]
    for kind, step in steps:
        _reseed_ids(sc, kind)
        step()


def _reseed_ids(sc: SeedCell, kind: str) -> None:
    """moto draws every id from one process-wide generator, and some of its lazily built
    defaults (default VPCs, AMI catalogs, offerings) consume it once per process, not once per
    estate. Re-seeding it per (cell, kind) makes each id depend only on the calls of that step:
    same seed, same ids, whatever ran before in the process."""
    mock_random.seed(sc.cell.rng(f"ids/{kind}").getrandbits(64))


def seed_estate(
    plan: EstatePlan,
    clients: ClientFactory,
    now: datetime | None = None,
    progress: Callable[[str, str, float], None] | None = None,
) -> Manifest:
    """Seed serially: moto's ids come from one seeded generator, so order is identity."""
    now = now or datetime.now(UTC)
    mock_random.seed(plan.seed)  # member account ids are drawn by moto
    account_ids = create_organization(clients, plan.account_names)
    plan = bind_accounts(plan, account_ids)
    manifest = Manifest(plan.seed, account_ids, list(plan.regions))
    metrics = MetricWriter(clients, now)
    for cell in plan.cells:
        t0 = time.perf_counter()
        seed_cell(SeedCell(cell, clients, manifest, metrics, now))
        metrics.flush()
        if progress:
            progress(cell.account_id, cell.region, time.perf_counter() - t0)
    log.info("estate seeded", extra={"resources": sum(manifest.resources.values()),
                                     "waste": len(manifest.waste),
                                     "datapoints": metrics.datapoints})
    return manifest
