"""/healthz: the process serves and its database answers."""

from __future__ import annotations

from quart import Blueprint, Response, jsonify
from tortoise import Tortoise

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
async def healthz() -> tuple[Response, int]:
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as exc:  # report, do not raise: a probe wants an answer
        return jsonify(
            {"status": "error", "database": str(exc).splitlines()[0] if str(exc) else "down"}
        ), 503
    return jsonify({"status": "ok"}), 200
