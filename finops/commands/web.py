"""`finops web`: serve the live dashboard (and its JSON API) over the snapshot sets.

Auth is on unless asked otherwise: `--tokens FILE` (hashed tokens per tenant), or, for a
local single-tenant demo only, `--no-auth --tenant NAME`, which every page then marks with
an "auth off (demo)" badge; with auth off the suppress button is refused unless
`--allow-writes-without-auth` is given too (the demo does). `--hash-token` reads a token on stdin and prints the sha256 to
put in the tokens file (the token itself never goes on a command line or into the file).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from common import settings
from common.metrics import add_metrics_port

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "web",
        help="serve the live FinOps dashboard and its JSON API",
        description="Serve the dashboard over data/snapshots/<tenant>/; pages update live when "
        "a new snapshot set is announced on Kafka or appears on disk.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    parser.add_argument("--data-dir", default=None,
                        help=f"data directory holding snapshots/ (default {settings.DATA_DIR})")
    parser.add_argument("--tokens", default=None, metavar="FILE",
                        help='tokens file: {"tokens": [{"tenant": "acme", "sha256": "…"}]}')
    parser.add_argument("--no-auth", action="store_true",
                        help="serve one tenant without authentication (local demo only)")
    parser.add_argument("--tenant", default=None, help="the tenant served with --no-auth")
    parser.add_argument("--allow-writes-without-auth", action="store_true",
                        help="with --no-auth, let anyone who reaches the port suppress findings "
                        "(local demo only; refused by default)")
    parser.add_argument("--suppressions-dir", default=None, metavar="DIR",
                        help="the jobs' <tenant>.json suppression files that the finding page's "
                        "suppress button writes (default <data-dir>/suppressions)")
    parser.add_argument("--bootstrap", default=None,
                        help="Kafka bootstrap servers for snapshot announcements "
                        "(default: KAFKA_BOOTSTRAP_SERVERS or the local broker)")
    parser.add_argument("--no-kafka", action="store_true",
                        help="do not consume announcements; watch manifest files only")
    parser.add_argument("--allowed-hosts", default=None, metavar="NAMES",
                        help="comma list of Host names served, '.example.com' for subdomains "
                        "(default: localhost, 127.0.0.1 and --host when it is a name or address)")
    parser.add_argument("--threads", type=int, default=32,
                        help="server threads (each open page holds one for its live stream)")
    parser.add_argument("--hash-token", action="store_true",
                        help="read a token on stdin, print its sha256 for the tokens file, exit")
    parser.add_argument("--add-token", default=None, metavar="TENANT",
                        help="make a random token for TENANT, add its sha256 to --tokens FILE "
                        "(created if missing), print the token once, exit")
    parser.add_argument("--token-name", default=None, metavar="NAME",
                        help="with --add-token: who the token is in the audit of dashboard writes")
    add_metrics_port(parser)
    parser.set_defaults(handler=run)


def allowed_hosts(args: argparse.Namespace) -> list[str]:
    """The Host names the server answers to: --allowed-hosts, else the loopback names plus the
    bind address (a wildcard bind names no host: give --allowed-hosts for remote access)."""
    if getattr(args, "allowed_hosts", None):
        return [h.strip() for h in args.allowed_hosts.split(",") if h.strip()]
    names = ["localhost", "127.0.0.1", "[::1]"]
    host = getattr(args, "host", "127.0.0.1")
    if host not in ("0.0.0.0", "::", "") and host not in names:
        names.append(host)
    return names


def config_from_args(args: argparse.Namespace) -> dict[str, object]:
    """The app config the arguments ask for; raises ValueError on a contradictory set."""
    if args.no_auth and args.tokens:
        raise ValueError("--no-auth and --tokens exclude each other")
    if args.no_auth and not args.tenant:
        raise ValueError("--no-auth needs --tenant NAME (the one tenant the demo serves)")
    if not args.no_auth and not args.tokens:
        raise ValueError("give --tokens FILE, or --no-auth --tenant NAME for a local demo")
    if args.tenant and not args.no_auth:
        raise ValueError("--tenant only applies with --no-auth (tokens decide the tenant)")
    if getattr(args, "allow_writes_without_auth", False) and not args.no_auth:
        raise ValueError("--allow-writes-without-auth only applies with --no-auth")
    from checks.docs import remediation_catalog
    from checks.registry import load_checks

    return {
        "ALLOWED_HOSTS": allowed_hosts(args),
        "REMEDIATION": remediation_catalog(load_checks()),
        "DATA_DIR": args.data_dir,
        "TOKENS_FILE": args.tokens,
        "AUTH_DISABLED": bool(args.no_auth),
        "AUTH_OFF_WRITES": bool(getattr(args, "allow_writes_without_auth", False)),
        "SUPPRESSIONS_DIR": getattr(args, "suppressions_dir", None),
        "DEMO_TENANT": args.tenant,
        "KAFKA_BOOTSTRAP": None if args.no_kafka else (args.bootstrap
                                                       or settings.bootstrap_servers()),
    }


def add_token(path: str, tenant: str, name: str | None) -> str:
    """A new random token for `tenant`: its hash (and name) appended to the tokens file, which
    is then re-read as the server would read it; returns the token (shown once, stored nowhere)."""
    import json
    import os
    import secrets
    from pathlib import Path

    from web.auth import TokenStore, hash_token

    file = Path(path)
    doc = json.loads(file.read_text(encoding="utf-8")) if file.exists() else {"tokens": []}
    if not isinstance(doc, dict) or not isinstance(doc.get("tokens"), list):
        raise ValueError(f"tokens file {file}: expected {{\"tokens\": [...]}}")
    token = secrets.token_urlsafe(32)
    entry = {"tenant": tenant, "sha256": hash_token(token), **({"name": name} if name else {})}
    doc["tokens"].append(entry)
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    try:
        TokenStore.from_file(tmp)  # refuse to write a file the server would refuse
    except Exception:
        tmp.unlink()
        raise
    os.replace(tmp, file)
    return token


def run(args: argparse.Namespace) -> int:
    from web.app import ConfigError, create_app
    from web.auth import AuthConfigError, hash_token

    if args.add_token:
        if not args.tokens:
            print("finops web --add-token: give --tokens FILE", file=sys.stderr)
            return 2
        try:
            token = add_token(args.tokens, args.add_token, args.token_name)
        except (OSError, ValueError, AuthConfigError) as exc:
            print(f"finops web --add-token: {exc}", file=sys.stderr)
            return 2
        print(token)
        print(f"added a token for tenant {args.add_token} to {args.tokens}; it is shown only now."
              " Open the dashboard with ?token=<it> once (the browser then keeps a session).",
              file=sys.stderr)
        return 0
    if args.hash_token:
        token = sys.stdin.readline().strip()
        if not token:
            print("finops web --hash-token: no token on stdin", file=sys.stderr)
            return 2
        print(hash_token(token))
        return 0
    try:
        app = create_app(config_from_args(args))
    except (ValueError, ConfigError, AuthConfigError) as exc:
        print(f"finops web: {exc}", file=sys.stderr)
        return 2
    if args.metrics_port is not None:
        from common.metrics import serve_metrics
        from web.metrics import install

        install(app)
        serve_metrics(args.metrics_port, host=args.host)
    log.info("dashboard listening", extra={
        "url": f"http://{args.host}:{args.port}/", "auth": "off" if args.no_auth else "tokens",
        "data_dir": str(app.config["DATA_DIR"]),
        "kafka": app.config["KAFKA_BOOTSTRAP"] or "off"})
    from waitress import create_server

    from web.app import stop_watchers

    # waitress: a production WSGI server (Flask's own is for development only)
    server = create_server(app, host=args.host, port=args.port, threads=args.threads,
                           ident="finops-web", clear_untrusted_proxy_headers=True)

    def terminate(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # the server loop stops on it

    signal.signal(signal.SIGTERM, terminate)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop_watchers(app)  # ends open SSE streams: browsers reconnect to the next process
    log.info("dashboard stopped")
    return 0
