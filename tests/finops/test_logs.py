"""Log set-up: a retriable Kafka client error at start-up reads as a warning, a fatal one stays
an error; both the CLI's handler and the dictConfig that faust applies carry the rule."""

from __future__ import annotations

import io
import logging
import logging.config
from collections.abc import Iterator

import pytest
from aiokafka import errors

from finops.logs import KeyValueFormatter, TransientKafkaErrors, dict_config

COORDINATOR = "aiokafka.consumer.group_coordinator"


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(KeyValueFormatter())
    handler.addFilter(TransientKafkaErrors())
    logger = logging.getLogger(COORDINATOR)
    old = (logger.handlers[:], logger.propagate, logger.level)
    logger.handlers[:], logger.propagate, logger.level = [handler], False, logging.WARNING
    try:
        yield out
    finally:
        logger.handlers[:], logger.propagate, logger.level = old


def test_a_retriable_coordinator_error_is_a_warning(console: io.StringIO) -> None:
    # the call aiokafka makes while the broker still creates its offsets topic
    logging.getLogger(COORDINATOR).error("Group Coordinator Request failed: %s",
                                         errors.GroupCoordinatorNotAvailableError())
    line = console.getvalue()
    assert " WARNING " in line and " ERROR " not in line
    assert "CoordinatorNotAvailable" in line and "retriable; the client retries" in line


def test_a_fatal_client_error_stays_an_error(console: io.StringIO) -> None:
    logging.getLogger(COORDINATOR).error("Attempt to join group failed due to fatal error: %s",
                                         errors.GroupAuthorizationFailedError())
    logging.getLogger(COORDINATOR).error("plain text error, no client error object")
    lines = console.getvalue().splitlines()
    assert len(lines) == 2 and all(" ERROR " in line for line in lines)


def test_the_faust_logging_config_carries_the_filter() -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        logging.config.dictConfig(dict_config("INFO"))
        assert any(isinstance(f, TransientKafkaErrors) for h in root.handlers for f in h.filters)
    finally:
        root.handlers[:], root.level = saved
