"""RDS waste that is not idleness: previous-generation and x86 classes, low CPU, Multi-AZ outside
production and manual snapshots of deleted instances. Each kind holds one waste instance and one
healthy look-alike (same shape, the one fact that makes it waste changed)."""

from __future__ import annotations

from typing import Any

from estate import ages
from estate.context import SeedCell, tag_list

BUSY_CPU = (25.0, 65.0)


def _db(sc: SeedCell, db_id: str, cls: str, tags: dict[str, str], cpu: tuple[float, float],
        **extra: Any) -> None:
    rds = sc.client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier=db_id, DBInstanceClass=cls, Engine="postgres",
        MasterUsername="app", MasterUserPassword="not-a-secret-1", AllocatedStorage=100,
        Tags=tag_list(tags), **{"EngineVersion": "16.3", "StorageType": "gp3", **extra})
    ages.rds_instance(sc.account_id, sc.region, db_id, ages.ago(sc.now, 200))
    dims = {"DBInstanceIdentifier": db_id}
    r = sc.rng(f"metrics/{db_id}")
    sc.metrics.series(sc.account_id, sc.region, "AWS/RDS", "DatabaseConnections", dims,
                      5.0, 40.0, r, "Count")
    sc.metrics.series(sc.account_id, sc.region, "AWS/RDS", "CPUUtilization", dims, *cpu, r,
                      "Percent")


def _prod(sc: SeedCell, kind: str, name: str) -> dict[str, str]:
    return {**sc.tags(sc.rng(kind), name), "env": "prod"}


# kind -> (waste class, healthy class, waste CPU, healthy CPU, waste extra, healthy extra,
#          waste env): the manifest records the facts, the scan test maps them to checks
SHAPES: dict[str, tuple[str, str, tuple[float, float], tuple[float, float],
                        dict[str, Any], dict[str, Any], str]] = {
    "rds_previous_generation": ("db.m4.large", "db.m7g.large", BUSY_CPU, BUSY_CPU, {}, {}, "prod"),
    "rds_graviton_candidate": ("db.m5.large", "db.m7g.large", BUSY_CPU, BUSY_CPU, {}, {}, "prod"),
    "rds_low_cpu": ("db.m7g.xlarge", "db.m7g.xlarge", (2.0, 6.0), BUSY_CPU, {}, {}, "prod"),
    "rds_multi_az_non_production": ("db.t4g.medium", "db.t4g.medium", BUSY_CPU, BUSY_CPU,
                                    {"MultiAZ": True}, {"MultiAZ": True}, "dev"),
    # PostgreSQL 11 left standard support on 2024-03-01 (RDS Extended Support)
    "rds_extended_support": ("db.t4g.medium", "db.t4g.medium", BUSY_CPU, BUSY_CPU,
                             {"EngineVersion": "11.22"}, {}, "prod"),
    "rds_gp2_storage": ("db.m7g.large", "db.m7g.large", BUSY_CPU, BUSY_CPU,
                        {"StorageType": "gp2"}, {}, "prod"),
}


def seed_rds_tuning(sc: SeedCell, kind: str) -> None:
    waste_cls, healthy_cls, waste_cpu, healthy_cpu, waste_x, healthy_x, env = SHAPES[kind]
    waste, healthy = sc.split(kind)
    short = kind.removeprefix("rds_").replace("_", "-")
    for i in range(healthy + len(waste)):
        is_waste = i < len(waste)
        db_id = f"db-{short}-{i:02d}"
        tags = _prod(sc, kind, db_id)
        if is_waste:
            tags["env"] = env
            _db(sc, db_id, waste_cls, tags, waste_cpu, **waste_x)
            sc.waste(waste[i], db_id, instance_class=waste_cls, env=env,
                     multi_az=bool(waste_x.get("MultiAZ")),
                     engine_version=waste_x.get("EngineVersion", "16.3"))
        else:
            _db(sc, db_id, healthy_cls, tags, healthy_cpu, **healthy_x)
    sc.manifest.add(kind, healthy + len(waste))


def seed_orphaned_rds_snapshots(sc: SeedCell) -> None:
    """Waste: a 45-day-old manual snapshot whose instance was deleted; healthy: a recent manual
    snapshot of a live instance."""
    rds = sc.client("rds")
    waste, healthy = sc.split("rds_snapshot_of_deleted")
    for i in range(healthy + len(waste)):
        orphan = i < len(waste)
        db_id = f"db-{'gone' if orphan else 'kept'}-{i:02d}"
        _db(sc, db_id, "db.t4g.micro", _prod(sc, "rds_snapshot_of_deleted", db_id), BUSY_CPU)
        snap_id = f"final-{db_id}"
        rds.create_db_snapshot(DBSnapshotIdentifier=snap_id, DBInstanceIdentifier=db_id)
        ages.rds_snapshot(sc.account_id, sc.region, snap_id, ages.ago(sc.now, 45 if orphan else 5))
        if orphan:
            rds.delete_db_instance(DBInstanceIdentifier=db_id, SkipFinalSnapshot=True)
            sc.waste(waste[i], snap_id, source_instance=db_id, age_days=45)
    sc.manifest.add("rds_snapshot_of_deleted", healthy + len(waste))
