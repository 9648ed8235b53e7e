"""/static/<name>: the pages' stylesheet and script, kept out of the templates so that the
Content-Security-Policy can forbid inline style and script (web/page_headers.py).

The files live in templates/static/ (shipped inside the wheel with the templates); only the names
listed here are served.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from quart import Blueprint, Quart, Response, current_app

from fedihub.errors import NotFound

blueprint = Blueprint("static_files", __name__)

FILES = {
    "fedihub.css": "text/css",
    "code.js": "text/javascript",
    "live.js": "text/javascript",
    "knowledge.js": "text/javascript",
}


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)


@lru_cache(maxsize=len(FILES))
def _read(path: Path) -> bytes:
    # a few hundred bytes, read once per process
    return path.read_bytes()


@blueprint.get("/static/<name>")
async def static_file(name: str) -> Response:
    mimetype = FILES.get(name)
    if mimetype is None or current_app.template_folder is None:
        raise NotFound("no such file")
    return Response(
        _read(Path(current_app.template_folder) / "static" / name),
        mimetype=mimetype,
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
