"""`finops notify --rules FILE`: post lifecycle events to Slack / JSON webhooks (notify/)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path
from typing import Any

from common.metrics import add_metrics_port, serve_metrics
from common.settings import bootstrap_servers
from schemas.topics import DEFAULT_PARTITIONS, EVENTS_TOPIC, ensure_topics

log = logging.getLogger("finops.notify")

NOTIFY_DLQ_TOPIC = "finops.notify.dlq.v1"


def register(sub: Any) -> None:
    p = sub.add_parser("notify", help="lifecycle events -> Slack-compatible / JSON webhooks",
                       description="Consume finops.findings.events.v1 as its own consumer group "
                       "and post the events matching a rule file (docs/notify.md).")
    p.add_argument("--rules", type=Path, required=True, help="rule file (YAML or JSON)")
    p.add_argument("--bootstrap", default=None, help="Kafka bootstrap servers")
    p.add_argument("--events-topic", default=EVENTS_TOPIC)
    p.add_argument("--dlq-topic", default=NOTIFY_DLQ_TOPIC, help="undeliverable events go here")
    p.add_argument("--group", default="finops-notify", help="consumer group id")
    p.add_argument("--attempts", type=int, default=6, help="attempts per message (default 6)")
    p.add_argument("--retry-base", type=float, default=0.5,
                   help="seconds before the 2nd attempt, doubling (default 0.5, cap 30)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per HTTP attempt")
    p.add_argument("--max-idle", type=float, default=None,
                   help="exit after this many seconds without events (default: run forever)")
    add_metrics_port(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from notify.delivery import RetryPolicy
    from notify.notifier import Notifier
    from notify.rules import RuleError, load

    try:
        rules = load(args.rules)
    except RuleError as exc:
        print(f"finops notify: {exc}", file=sys.stderr)
        return 2
    bootstrap = args.bootstrap or bootstrap_servers()
    ensure_topics(bootstrap, {args.events_topic: DEFAULT_PARTITIONS, args.dlq_topic: 1})
    notifier = Notifier(bootstrap, args.events_topic, rules, dlq_topic=args.dlq_topic,
                        group_id=args.group,
                        policy=RetryPolicy(attempts=args.attempts, base_s=args.retry_base,
                                           timeout_s=args.timeout))
    if args.metrics_port is not None:
        from notify.metrics import watch

        watch(notifier.stats)
        serve_metrics(args.metrics_port)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: notifier.stop_event.set())
    stats = notifier.run(max_idle_s=args.max_idle)
    log.info("notify stopped", extra=vars(stats))
    return 0
