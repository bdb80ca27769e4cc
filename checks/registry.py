"""Checks are found by walking the package, never listed by hand.

A check lives in `checks/<service>/<check_id>/check.py` beside `metadata.json`. The loader
refuses a folder whose names disagree (metadata id vs folder, service vs parent folder, class
name vs id), because a check whose id drifts from its folder produces findings no doc, test or
tenant config can find.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

from checks.model import Check, MetadataError

PACKAGE_DIR = Path(__file__).resolve().parent
NOT_SERVICES = frozenset({"services", "prices", "__pycache__"})


def class_name_for(check_id: str) -> str:
    """`ec2_ebs_volume_unattached` -> `Ec2EbsVolumeUnattached`."""
    return "".join(part[:1].upper() + part[1:] for part in check_id.split("_"))


def check_folders(root: Path = PACKAGE_DIR) -> list[Path]:
    folders = []
    for service_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        if service_dir.name in NOT_SERVICES or service_dir.name.startswith(("_", ".")):
            continue
        for check_dir in sorted(p for p in service_dir.iterdir() if p.is_dir()):
            if check_dir.name.startswith(("_", ".")):
                continue
            folders.append(check_dir)
    return folders


def load_check(folder: Path) -> type[Check]:
    service, check_id = folder.parent.name, folder.name
    if not (folder / "check.py").is_file():
        raise MetadataError(f"{folder}: no check.py")
    if not (folder / "metadata.json").is_file():
        raise MetadataError(f"{folder}: no metadata.json")
    module = importlib.import_module(f"checks.{service}.{check_id}.check")
    classes = [
        obj
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, Check) and obj is not Check and obj.__module__ == module.__name__
    ]
    return verify(folder, classes)


def verify(folder: Path, classes: list[type[Check]]) -> type[Check]:
    """The one Check class of a folder, if its class name, metadata id and service agree with
    the folder it lives in."""
    service, check_id = folder.parent.name, folder.name
    expected = class_name_for(check_id)
    if [c.__name__ for c in classes] != [expected]:
        raise MetadataError(
            f"{folder}: expected exactly one Check subclass named {expected}, "
            f"found {[c.__name__ for c in classes]}"
        )
    cls = classes[0]
    meta = getattr(cls, "meta", None)
    if meta is None:
        raise MetadataError(f"{folder}: {expected} has no meta (use load_meta(__file__))")
    if meta.id != check_id:
        raise MetadataError(f"{folder}: metadata id {meta.id!r} != folder {check_id!r}")
    if meta.service != service:
        raise MetadataError(f"{folder}: metadata service {meta.service!r} != folder {service!r}")
    return cls


def load_checks(root: Path = PACKAGE_DIR) -> dict[str, Check]:
    """Every check, instantiated, keyed by id (sorted)."""
    checks: dict[str, Check] = {}
    for folder in check_folders(root):
        cls = load_check(folder)
        if cls.meta.id in checks:
            raise MetadataError(f"{folder}: duplicate check id {cls.meta.id}")
        checks[cls.meta.id] = cls()
    return dict(sorted(checks.items()))
