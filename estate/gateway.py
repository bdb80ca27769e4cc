"""What answers HTTP in front of moto: AWS-shaped errors for what moto does not implement, the
two inventories moto lacks: Reserved Instances (from `reserved.STORE`) and Savings Plans (the
estate buys none), and AWS's own advice (from `advice.STORE`): Cost Optimization Hub and
Compute Optimizer, which moto does not serve at all.

moto raises `NotImplementedError` for operations it lacks (DescribeReservedInstances) and has no
Savings Plans backend at all; werkzeug turns both into an HTML 500, which botocore retries for
a minute and then fails to parse. AWS would answer a structured, non-retryable error, which the
checks record as a collection error and move on: so does the estate. The estate buys no Savings
Plans, so DescribeSavingsPlans truthfully answers an empty list. The advice services speak
AWS JSON 1.0 (`X-Amz-Target`) or, as botocore talks to Compute Optimizer, Smithy RPC v2 CBOR
(`/service/<prefix>/operation/<name>`): each is answered in the protocol it was asked in.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from moto.iam.models import get_account_id_from

from estate import advice, cbor
from estate.reserved import STORE

log = logging.getLogger(__name__)
_SERVICE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
_ACCESS_KEY = re.compile(r"Credential=([^/]+)/")
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class EstateGateway:
    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        service = service_of(environ)
        if service in advice.TARGET_PREFIXES:
            return _advice(environ, start_response, service)
        if service == "savingsplans":
            return _reply(start_response, 200, "application/json", b'{"savingsPlans": []}')
        if service == "ec2":
            body = _body(environ)
            if parse_qs(body.decode("utf-8", "replace")).get("Action") == [
                    "DescribeReservedInstances"]:
                account, region = account_of(environ), region_of(environ)
                return _reply(start_response, 200, "text/xml",
                              STORE.describe_xml(account, region))
        try:
            return self.app(environ, start_response)
        except Exception as exc:  # noqa: BLE001 - any moto gap becomes an AWS-shaped error
            what = f"{type(exc).__name__}: {exc}"[:300]
            log.info("operation not simulated", extra={"service": service, "error": what})
            return unsupported(environ, start_response, service, what)


def service_of(environ: dict[str, Any]) -> str:
    match = _SERVICE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(2) if match else ""


def region_of(environ: dict[str, Any]) -> str:
    match = _SERVICE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else "us-east-1"


def account_of(environ: dict[str, Any]) -> str:
    """The account moto would act in: its header, else the one owning the access key."""
    if environ.get("HTTP_X_MOTO_ACCOUNT_ID"):
        return str(environ["HTTP_X_MOTO_ACCOUNT_ID"])
    match = _ACCESS_KEY.search(environ.get("HTTP_AUTHORIZATION", ""))
    return get_account_id_from(match.group(1) if match else "")


def _body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put it back for moto to read again."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _rpc_v2(environ: dict[str, Any]) -> bool:
    return environ.get("HTTP_SMITHY_PROTOCOL") == "rpc-v2-cbor"


def operation_of(environ: dict[str, Any]) -> str:
    """The operation a JSON (`X-Amz-Target: Prefix.Name`) or RPC v2 request names."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.rsplit(".", 1)[-1]
    return environ.get("PATH_INFO", "").rstrip("/").rsplit("/operation/", 1)[-1]


def _advice(environ: dict[str, Any], start_response: StartResponse,
            service: str) -> Iterable[bytes]:
    operation, body = operation_of(environ), _body(environ)
    try:
        request = (cbor.loads(body) if _rpc_v2(environ) else json.loads(body or b"{}")) or {}
    except (ValueError, IndexError) as exc:  # JSONDecodeError and UnicodeError are ValueErrors
        return error(environ, start_response, service, "SerializationException",
                     f"{operation}: the request body does not parse: {exc}")
    try:
        answer = advice.STORE.answer(service, operation, account_of(environ),
                                     region_of(environ), request)
    except advice.AdviceError as exc:
        return error(environ, start_response, service, exc.code, exc.message, exc.status)
    if answer is None:
        return unsupported(environ, start_response, service, f"{service} {operation}")
    if _rpc_v2(environ):
        return _reply(start_response, 200, "application/cbor", cbor.dumps(answer),
                      [("smithy-protocol", "rpc-v2-cbor")])
    return _reply(start_response, 200, "application/x-amz-json-1.0",
                  json.dumps(answer, default=_epoch).encode())


def _epoch(value: Any) -> float:
    """JSON protocols carry timestamps as epoch seconds."""
    return float(value.timestamp())


def unsupported(environ: dict[str, Any], start_response: StartResponse, service: str,
                message: str) -> Iterable[bytes]:
    """HTTP 400 `UnsupportedOperation` in the protocol the caller speaks (botocore does not
    retry a 400, and parses the code)."""
    return error(environ, start_response, service, "UnsupportedOperation",
                 f"not simulated by the estate: {message}")


def error(environ: dict[str, Any], start_response: StartResponse, service: str, code: str,
          text: str, status: int = 400) -> Iterable[bytes]:
    """An AWS error answer in the caller's protocol: RPC v2 CBOR, JSON, EC2 or query XML."""
    if _rpc_v2(environ):
        return _reply(start_response, status, "application/cbor",
                      cbor.dumps({"__type": code, "message": text}),
                      [("smithy-protocol", "rpc-v2-cbor")])
    if "json" in environ.get("CONTENT_TYPE", "") or environ.get("HTTP_X_AMZ_TARGET"):
        body = json.dumps({"__type": code, "message": text}).encode()
        return _reply(start_response, status, "application/x-amz-json-1.1", body,
                      [("x-amzn-ErrorType", code)])
    if service == "ec2":
        xml = (f"<Response><Errors><Error><Code>{code}</Code><Message>{escape(text)}</Message>"
               f"</Error></Errors><RequestID>estate</RequestID></Response>")
    else:
        xml = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>"
               f"{escape(text)}</Message></Error><RequestId>estate</RequestId></ErrorResponse>")
    return _reply(start_response, status, "text/xml", xml.encode())


def _reply(start_response: StartResponse, status: int, ctype: str, body: bytes,
           headers: list[tuple[str, str]] | None = None) -> Iterable[bytes]:
    reason = {200: "OK", 400: "Bad Request", 403: "Forbidden"}[status]
    start_response(f"{status} {reason}", [("Content-Type", ctype),
                                          ("Content-Length", str(len(body))), *(headers or [])])
    return [body]
