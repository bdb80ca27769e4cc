import json

import pytest

from checks.config import ConfigError, TenantConfig
from checks.registry import load_checks

CHECKS = load_checks()


def test_yaml_overrides_are_read_with_defaults(tmp_path):
    path = tmp_path / "tenant.yaml"
    path.write_text("checks:\n  ec2_instance_stopped_long:\n    max_stopped_days: 45\n")
    cfg = TenantConfig.load(path)
    cfg.validate(CHECKS)
    view = cfg.for_check(CHECKS["ec2_instance_stopped_long"].meta)
    assert view.get("max_stopped_days") == 45
    other = cfg.for_check(CHECKS["ec2_ebs_snapshot_old"].meta)
    assert other.get("max_age_days") == 90  # metadata default


@pytest.mark.parametrize("doc, message", [
    ({"checks": {"ec2_nope": {}}}, "unknown check id"),
    ({"checks": {"ec2_ebs_snapshot_old": {"max_age": 3}}}, "unknown threshold"),
    ({"checks": {"ec2_ebs_snapshot_old": {"max_age_days": "90"}}}, "expected int"),
    ({"checks": {"ec2_instance_low_utilization": {"max_cpu_percent": True}}}, "expected float"),
    ({"checks": {"ec2_ebs_snapshot_old": {"enabled": "no"}}}, "enabled must be"),
    ({"thresholds": {}}, "unknown top-level"),
    ({"checks": {"rds_instance_multi_az_non_production": {"non_production_values": [1]}}},
     "expected list"),
])
def test_invalid_config_is_refused(tmp_path, doc, message):
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match=message):
        TenantConfig.load(path).validate(CHECKS)


def test_int_accepted_for_float_threshold_and_disable():
    cfg = TenantConfig.from_mapping({"checks": {
        "ec2_instance_low_utilization": {"max_cpu_percent": 5},
        "s3_bucket_no_lifecycle": {"enabled": False}}})
    cfg.validate(CHECKS)
    assert not cfg.for_check(CHECKS["s3_bucket_no_lifecycle"].meta).enabled


def test_unparseable_file(tmp_path):
    path = tmp_path / "tenant.yaml"
    path.write_text("checks: [unclosed")
    with pytest.raises(ConfigError, match="cannot parse"):
        TenantConfig.load(path)
