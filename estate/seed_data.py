"""Databases and analytics: RDS instances and manual snapshots, DynamoDB tables, Redshift and
EMR clusters. Idleness is told by CloudWatch history (connections, CPU, IsIdle)."""

from __future__ import annotations

from estate import ages
from estate.context import SeedCell, tag_list

RDS_CLASSES = ("db.t4g.medium", "db.m7g.large", "db.r7g.large")  # current-gen Graviton


def seed_rds(sc: SeedCell) -> None:
    rds = sc.client("rds")
    rng = sc.rng("rds_instance")
    waste, healthy = sc.split("rds_instance")
    dbs = []
    for i in range(healthy + len(waste)):
        idle = i < len(waste)
        db_id = f"db-{'idle' if idle else 'app'}-{i:04d}"
        rds.create_db_instance(
            DBInstanceIdentifier=db_id, DBInstanceClass=RDS_CLASSES[i % len(RDS_CLASSES)],
            Engine="postgres", MasterUsername="app", MasterUserPassword="not-a-secret-1",
            AllocatedStorage=rng.choice([20, 100, 500]), StorageType="gp3",
            Tags=tag_list(sc.tags(rng)),
            EngineVersion="16.3")  # in standard support (moto's default 13.4 is not, since 2026-03)
        ages.rds_instance(sc.account_id, sc.region, db_id, ages.ago(sc.now, rng.randint(60, 500)))
        dims = {"DBInstanceIdentifier": db_id}
        r = sc.rng(f"metrics/{db_id}")
        conn = (0.0, 0.0) if idle else (10.0, 80.0)
        cpu = (0.5, 2.0) if idle else (25.0, 65.0)
        sc.metrics.series(sc.account_id, sc.region, "AWS/RDS", "DatabaseConnections", dims,
                          *conn, r, "Count")
        sc.metrics.series(sc.account_id, sc.region, "AWS/RDS", "CPUUtilization", dims, *cpu, r,
                          "Percent")
        if idle:
            sc.waste(waste[i], db_id, max_connections=0)
        else:
            dbs.append(db_id)
    sc.manifest.add("rds_instance", healthy + len(waste))

    srng = sc.rng("rds_snapshot")
    swaste, shealthy = sc.split("rds_snapshot")
    for i in range(shealthy + len(swaste)):
        old = i < len(swaste)
        snap_id = f"manual-{'old' if old else 'recent'}-{i:04d}"
        rds.create_db_snapshot(DBSnapshotIdentifier=snap_id,
                               DBInstanceIdentifier=dbs[i % len(dbs)])
        days = srng.randint(200, 400) if old else srng.randint(1, 20)
        ages.rds_snapshot(sc.account_id, sc.region, snap_id, ages.ago(sc.now, days))
        if old:
            sc.waste(swaste[i], snap_id, age_days=days)
    sc.manifest.add("rds_snapshot", shealthy + len(swaste))


def seed_dynamodb(sc: SeedCell) -> None:
    """Healthy tables are on-demand or provisioned with autoscaling; waste is provisioned
    capacity nobody scales, mostly unused."""
    ddb = sc.client("dynamodb")
    aas = sc.client("application-autoscaling")
    rng = sc.rng("dynamodb_table")
    waste, healthy = sc.split("dynamodb_table")
    for i in range(healthy + len(waste)):
        name = sc.name("table", i)
        provisioned = i < len(waste) or i % 2 == 0
        kwargs = (
            {"BillingMode": "PROVISIONED",
             "ProvisionedThroughput": {"ReadCapacityUnits": 200, "WriteCapacityUnits": 100}}
            if provisioned else {"BillingMode": "PAY_PER_REQUEST"}
        )
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         Tags=tag_list(sc.tags(rng)), **kwargs)
        ages.dynamodb_table(sc.account_id, sc.region, name, ages.ago(sc.now, 30 + i % 300))
        dims = {"TableName": name}
        r = sc.rng(f"metrics/{name}")
        if i < len(waste):
            sc.metrics.series(sc.account_id, sc.region, "AWS/DynamoDB",
                              "ConsumedReadCapacityUnits", dims, 0.0, 5.0, r, "Count")
            sc.waste(waste[i], name, read_capacity=200, write_capacity=100)
            continue
        sc.metrics.series(sc.account_id, sc.region, "AWS/DynamoDB", "ConsumedReadCapacityUnits",
                          dims, 2e5, 6e5, r, "Count")
        if provisioned:
            for dim in ("ReadCapacityUnits", "WriteCapacityUnits"):
                aas.register_scalable_target(
                    ServiceNamespace="dynamodb", ResourceId=f"table/{name}",
                    ScalableDimension=f"dynamodb:table:{dim}", MinCapacity=5, MaxCapacity=500)
    sc.manifest.add("dynamodb_table", healthy + len(waste))


def seed_redshift(sc: SeedCell) -> None:
    rs = sc.client("redshift")
    rng = sc.rng("redshift_cluster")
    waste, healthy = sc.split("redshift_cluster")
    for i in range(healthy + len(waste)):
        idle = i < len(waste)
        cid = f"dw-{'idle' if idle else 'prod'}-{i:03d}"
        rs.create_cluster(ClusterIdentifier=cid, NodeType="ra3.xlplus", ClusterType="multi-node",
                          NumberOfNodes=2, MasterUsername="admin",
                          MasterUserPassword="Not-a-secret-1", Tags=tag_list(sc.tags(rng)))
        ages.redshift_cluster(sc.account_id, sc.region, cid, ages.ago(sc.now, rng.randint(60, 400)))
        dims = {"ClusterIdentifier": cid}
        r = sc.rng(f"metrics/{cid}")
        sc.metrics.series(sc.account_id, sc.region, "AWS/Redshift", "CPUUtilization", dims,
                          *((0.5, 2.0) if idle else (30.0, 70.0)), r, "Percent")
        sc.metrics.series(sc.account_id, sc.region, "AWS/Redshift", "DatabaseConnections", dims,
                          *((0.0, 0.0) if idle else (5.0, 40.0)), r, "Count")
        if idle:
            sc.waste(waste[i], cid, node_type="ra3.xlplus", nodes=2)
    sc.manifest.add("redshift_cluster", healthy + len(waste))


def seed_emr(sc: SeedCell) -> None:
    emr = sc.client("emr")
    rng = sc.rng("emr_cluster")
    waste, healthy = sc.split("emr_cluster")
    for i in range(healthy + len(waste)):
        idle = i < len(waste)
        cluster = emr.run_job_flow(
            Name=f"spark-{'idle' if idle else 'etl'}-{i:03d}", ReleaseLabel="emr-6.15.0",
            Instances={"MasterInstanceType": "m5.xlarge", "SlaveInstanceType": "m5.xlarge",
                       "InstanceCount": 3, "KeepJobFlowAliveWhenNoSteps": True},
            JobFlowRole="EMR_EC2_DefaultRole", ServiceRole="EMR_DefaultRole",
            Tags=tag_list(sc.tags(rng)))["JobFlowId"]
        sc.metrics.series(sc.account_id, sc.region, "AWS/ElasticMapReduce", "IsIdle",
                          {"JobFlowId": cluster}, *((1.0, 1.0) if idle else (0.0, 0.0)),
                          sc.rng(f"metrics/{cluster}"), "None")
        if idle:
            sc.waste(waste[i], cluster, idle_days=14)
    sc.manifest.add("emr_cluster", healthy + len(waste))
