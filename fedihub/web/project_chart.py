"""The progress chart of a project page, drawn on the server as inline SVG: tasks done over total
for the whole project and per assignee (bars), and tasks done over time (a step line).

Only geometry is computed here; templates/projects/_progress.html writes the SVG with classes
from fedihub.css and presentation attributes (the CSP allows no inline style or script). Imports
nothing of the services: it takes what projects/tasks.progress() answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

WIDTH = 600
LABEL = 170  # the column of names left of the bars
BAR = 340  # the length of a full bar
ROW = 28
PLOT_H = 160
PLOT_TOP = 14
PLOT_LEFT = 44
PLOT_W = WIDTH - PLOT_LEFT - 20


@dataclass(frozen=True)
class Bar:
    label: str
    done: int
    total: int
    y: int
    done_width: int


@dataclass(frozen=True)
class Line:
    points: str  # "x,y x,y …" for <polyline>
    total_y: int  # where the "all tasks" line runs
    first: str  # the first and last dates, under the x axis
    last: str
    height: int


@dataclass(frozen=True)
class Chart:
    total: int
    done: int
    percent: int
    bars: list[Bar]
    bars_height: int
    line: Line | None


def _bar(label: str, done: int, total: int, y: int) -> Bar:
    width = round(BAR * done / total) if total else 0
    return Bar(label=label, done=done, total=total, y=y, done_width=width)


def _line(over_time: list[dict[str, Any]], total: int, today: date) -> Line | None:
    if not over_time or total <= 0:
        return None
    days = [(date.fromisoformat(p["date"]), int(p["done"])) for p in over_time]
    start = days[0][0]
    end = max(days[-1][0], today)
    span = max((end - start).days, 1)

    def x(day: date) -> int:
        return PLOT_LEFT + round(PLOT_W * (day - start).days / span)

    def y(count: int) -> int:
        return PLOT_TOP + PLOT_H - round(PLOT_H * min(count, total) / total)

    points = [(PLOT_LEFT, y(0))]
    previous = 0
    for day, count in days:
        points.append((x(day), y(previous)))  # a step: flat until the day, then up
        points.append((x(day), y(count)))
        previous = count
    points.append((x(end), y(previous)))
    return Line(
        points=" ".join(f"{px},{py}" for px, py in points),
        total_y=y(total),
        first=start.isoformat(),
        last=end.isoformat(),
        height=PLOT_TOP + PLOT_H + 30,
    )


def chart(
    figures: dict[str, Any], names: dict[int, str], everyone: str, nobody: str, today: date
) -> Chart:
    """The chart of `figures` (tasks.progress): `names` by account id, `everyone` labels the
    project's bar and `nobody` the unassigned tasks' one."""
    total, done = int(figures["total"]), int(figures["done"])
    bars = [_bar(everyone, done, total, 0)]
    per: dict[int | None, list[int]] = figures["per_member"]
    ordered = sorted(per.items(), key=lambda kv: (kv[0] is None, names.get(kv[0] or 0, "")))
    for account_id, (count, finished) in ordered:
        label = names.get(account_id, nobody) if account_id is not None else nobody
        bars.append(_bar(label[:28], finished, count, ROW * len(bars)))
    return Chart(
        total=total,
        done=done,
        percent=round(100 * done / total) if total else 0,
        bars=bars,
        bars_height=ROW * len(bars) + 4,
        line=_line(figures["over_time"], total, today),
    )
