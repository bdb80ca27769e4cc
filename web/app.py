"""The Flask app factory: configuration, authentication, security headers, JSON errors.

`create_app(config)` wires one SnapshotStore (the only data source), the live-update
machinery and two blueprints: `dashboard` (HTML pages, vanilla JS) and `api` (JSON, which
the pages use). Authentication runs before every request except static files and the health
check, and leaves exactly one tenant in `g.tenant`; nothing downstream takes a tenant from
the request, which is what keeps tenant A out of tenant B's data.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, g, jsonify, redirect, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.sansio.utils import host_is_trusted

from common import settings
from schemas.topics import SNAPSHOTS_TOPIC
from web.auth import COOKIE, RedactTokens, SessionSigner, TokenStore, bearer
from web.dismissals import Actor, DismissalStore
from web.live import Announcer, Broadcaster, FileWatcher, KafkaWatcher
from web.snapshots import SnapshotStore, valid_tenant

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
DEFAULTS: dict[str, Any] = {
    "DATA_DIR": None,            # default: common.settings.DATA_DIR
    "TOKENS_FILE": None,         # JSON file of hashed tokens
    "AUTH_DISABLED": False,      # local single-tenant demo only
    "DEMO_TENANT": None,         # the one tenant when auth is off
    "KAFKA_BOOTSTRAP": None,     # set to consume finops.snapshots.v1 announcements
    "SNAPSHOTS_TOPIC": SNAPSHOTS_TOPIC,
    "LIVE_WATCHERS": True,       # start the file (and Kafka) watcher threads
    "WATCH_INTERVAL": 0.5,       # seconds between manifest polls
    "HEARTBEAT_S": 15.0,
    "ALLOWED_HOSTS": None,       # Host header names served (None: any; finops web sets it)
    "SESSION_MAX_AGE_S": 12 * 3600,  # a browser session (signed cookie) lasts this long
    "REMEDIATION": {},            # {check_id: {title, remediation, remediation_cli}}: finops web
    "SUPPRESSIONS_DIR": None,    # the jobs' suppression files (default: <DATA_DIR>/suppressions)
    "AUTH_OFF_WRITES": False,    # with auth off, let anyone on the port suppress (demo only)
}


class ConfigError(Exception):
    """The app cannot start with this configuration."""


def _check_config(cfg: Mapping[str, Any]) -> None:
    if cfg["AUTH_DISABLED"]:
        tenant = cfg["DEMO_TENANT"]
        if not isinstance(tenant, str) or not valid_tenant(tenant):
            raise ConfigError("auth off needs one valid tenant (--no-auth --tenant NAME)")
    elif not cfg["TOKENS_FILE"]:
        raise ConfigError("a tokens file is required (--tokens FILE), or --no-auth --tenant NAME")
    if cfg["AUTH_OFF_WRITES"] and not cfg["AUTH_DISABLED"]:
        raise ConfigError("AUTH_OFF_WRITES (--allow-writes-without-auth) only applies with auth off")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the dashboard app; `config` keys are those of DEFAULTS (plus any Flask keys)."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    cfg = app.config
    _check_config(cfg)
    cfg["DATA_DIR"] = Path(cfg["DATA_DIR"] or settings.DATA_DIR)
    app.json.sort_keys = True  # type: ignore[attr-defined]

    cfg["SUPPRESSIONS_DIR"] = Path(cfg["SUPPRESSIONS_DIR"] or cfg["DATA_DIR"] / "suppressions")
    store = SnapshotStore(cfg["DATA_DIR"])
    broadcaster = Broadcaster()
    announcer = Announcer(store, broadcaster)
    tokens = None if cfg["AUTH_DISABLED"] else TokenStore.from_file(cfg["TOKENS_FILE"])
    app.extensions["finops"] = {
        "store": store, "broadcaster": broadcaster, "announcer": announcer,
        "tokens": tokens, "watchers": [],
        "dismissals": DismissalStore(cfg["SUPPRESSIONS_DIR"]),
    }
    logging.getLogger("werkzeug").addFilter(RedactTokens())

    from web.api import bp as api_bp
    from web.dashboard import bp as dashboard_bp
    from web.dismiss_api import bp as dismiss_bp

    app.register_blueprint(dashboard_bp)
    app.register_blueprint(api_bp, url_prefix="/api")
    app.register_blueprint(dismiss_bp, url_prefix="/api")
    _install_allowed_hosts(app)
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = session_key(cfg["DATA_DIR"])
    _install_auth(app, tokens, SessionSigner(cfg["SECRET_KEY"], int(cfg["SESSION_MAX_AGE_S"])))
    _install_errors(app)
    _install_headers(app)

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify({"ok": True})

    @app.get("/logout")
    def logout() -> Any:
        """Forget the browser's token cookie; the next page asks for a token again."""
        resp = redirect("/", code=303)
        resp.delete_cookie(COOKIE, path="/")
        return resp

    if cfg["LIVE_WATCHERS"]:
        start_watchers(app)
    if cfg["AUTH_DISABLED"]:
        log.warning("dashboard auth is OFF (demo mode)", extra={"tenant": cfg["DEMO_TENANT"]})
    return app


def session_key(data_dir: Path) -> bytes:
    """The key that signs browser sessions: `<data_dir>/web/session.key` (random, mode 0600,
    made on first start), so a restarted or second server process keeps the open pages'
    sessions valid; set SECRET_KEY to use another."""
    path = Path(data_dir) / "web" / "session.key"
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".session.key.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(os.urandom(32))
    try:
        os.link(tmp, path)  # first writer wins; a racing process reads the winner's key
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_bytes()


def start_watchers(app: Flask) -> list[Any]:
    """Start the file watcher, and the Kafka watcher when a bootstrap server is configured."""
    ext = app.extensions["finops"]
    watchers: list[Any] = [FileWatcher(ext["announcer"], app.config["WATCH_INTERVAL"])]
    if app.config["KAFKA_BOOTSTRAP"]:
        watchers.append(KafkaWatcher(ext["announcer"], app.config["KAFKA_BOOTSTRAP"],
                                     app.config["SNAPSHOTS_TOPIC"]))
    for w in watchers:
        w.start()
    ext["watchers"].extend(watchers)
    return watchers


def stop_watchers(app: Flask) -> None:
    """Stop the watchers and end open SSE streams (so their browsers reconnect elsewhere)."""
    app.extensions["finops"]["broadcaster"].close()
    for w in app.extensions["finops"]["watchers"]:
        w.stop()
    for w in app.extensions["finops"]["watchers"]:
        w.join(timeout=5)
    app.extensions["finops"]["watchers"].clear()


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _install_allowed_hosts(app: Flask) -> None:
    """Refuse a request whose Host header is not one this server answers to (DNS rebinding,
    poisoned absolute links): 400 before auth, health check included."""
    allowed = app.config["ALLOWED_HOSTS"]
    if not allowed:
        return
    names = [str(h) for h in allowed]

    @app.before_request
    def check_host() -> Any:
        raw = request.headers.get("Host", "")
        if host_is_trusted(raw, names):
            return None
        log.warning("request refused: host not allowed",
                    extra={"host": raw[:100], "path": request.path, "allowed": ",".join(names)})
        body = {"error": "bad_request", "status": 400, "detail": "host not allowed"}
        return Response(json.dumps(body), status=400, mimetype="application/json")


def _install_auth(app: Flask, tokens: TokenStore | None, sessions: SessionSigner) -> None:
    @app.before_request
    def authenticate() -> Any:
        if request.endpoint in ("static", "healthz", "logout"):
            return None
        # g.actor: who writes (audit); g.csrf_binding: what a CSRF token must be bound to
        # (None: the request brought its own token, so no CSRF token is needed)
        if tokens is None:
            g.tenant, g.auth_off = app.config["DEMO_TENANT"], True
            g.actor, g.csrf_binding = Actor("anonymous (auth off)", "auth off"), "auth-off"
            return None
        g.auth_off = False
        from_query = request.args.get("token")
        if from_query is not None and not _wants_json():
            tenant = tokens.tenant_for(from_query)
            if tenant is None:
                return _unauthorized("that token is not valid")
            rest = [(k, v) for k, v in request.args.items(multi=True) if k != "token"]
            target = request.path + (("?" + urlencode(rest)) if rest else "")
            resp = redirect(target, code=303)
            resp.set_cookie(COOKIE, sessions.issue(tenant, from_query), httponly=True,
                            samesite="Strict", secure=request.is_secure, path="/",
                            max_age=sessions.max_age_s)
            return resp
        token = bearer(request.headers.get("Authorization")) or from_query
        entry = None
        if token is not None:
            entry = tokens.entry_for(token)
            g.csrf_binding = None
            via = "token"
        else:
            cookie = request.cookies.get(COOKIE)
            session = sessions.session_for(cookie, tokens)
            if session is None and cookie:
                return _unauthorized("the session expired or is not valid")
            if session is not None:
                entry, g.csrf_binding = session
            via = "session"
        if entry is None:
            return _unauthorized("a valid API token is required" if token is None
                                 else "that token is not valid")
        g.tenant, g.actor = entry.tenant, Actor(entry.identity, via)
        return None


def _unauthorized(detail: str) -> Response:
    # The path only: the query string may carry a token.
    log.warning("request refused", extra={"path": request.path, "reason": detail,
                                          "remote": request.remote_addr})
    if _wants_json():
        resp = jsonify({"error": "unauthorized", "detail": detail, "status": 401})
    else:
        resp = Response(render_template("login.html", detail=detail), mimetype="text/html")
    resp.status_code = 401
    resp.headers["WWW-Authenticate"] = 'Bearer realm="finops"'
    if request.cookies.get(COOKIE):
        resp.delete_cookie(COOKIE, path="/")
    return resp


def _install_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        if not _wants_json():
            return exc
        resp = jsonify({"error": exc.name.lower().replace(" ", "_"),
                        "detail": exc.description, "status": exc.code})
        resp.status_code = exc.code or 500
        return resp

    @app.errorhandler(Exception)
    def internal_error(exc: Exception) -> Any:
        log.exception("request failed", extra={"path": request.path,
                                               "tenant": getattr(g, "tenant", None)})
        if _wants_json():
            resp = jsonify({"error": "internal_error", "status": 500,
                            "detail": f"{type(exc).__name__} while serving {request.path}"})
            resp.status_code = 500
            return resp
        return Response("Internal error; see the server log.", status=500, mimetype="text/plain")


def _install_headers(app: Flask) -> None:
    @app.after_request
    def secure_headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        if request.endpoint != "static":
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp
