"""The logs of the gateway's processes: one JSON object per line on stderr, each stamped with the request
id current where it was logged (`workers.queue.request_id`, which gateway/observability.py sets)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from gateway.settings import Settings
from workers.queue import request_id


class RequestIdFilter(logging.Filter):
    """Stamps each record with the request id current where it is logged (handlers may format later)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id when known, exception text."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid is not None:
            line["request_id"] = rid
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, default=str)


def json_handler(stream: Any = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    return handler


def configure_logging(settings: Settings) -> None:
    """Send every log line to stderr as JSON (called by `gateway serve`, `gateway worker`, app_from_env)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "gateway_json", False)]:
        root.removeHandler(handler)
    handler = json_handler()
    handler.gateway_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # uvicorn's own handlers would print plain text: let its lines reach the JSON handler instead.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("gateway.observability").debug("JSON logging on (%s)", settings.environment)
