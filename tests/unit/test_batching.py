"""Group calls: concurrent callers share a run, each gets its own result, and nobody gets a
result computed before they asked."""

from __future__ import annotations

import asyncio

import pytest

from fedihub.batching import Batcher


class Recorder:
    def __init__(self, *, fail_on: str | None = None) -> None:
        self.runs: list[list[str]] = []
        self.gate: asyncio.Event | None = None
        self.fail_on = fail_on

    async def run(self, items: list[str]) -> list[str]:
        self.runs.append(list(items))
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_on in items:
            raise ValueError(f"cannot do {self.fail_on}")
        return [item.upper() for item in items]


async def test_a_lone_caller_runs_at_once_and_gets_its_result() -> None:
    recorder = Recorder()
    batcher = Batcher(recorder.run)
    assert await asyncio.wait_for(batcher("a"), timeout=1) == "A"
    assert recorder.runs == [["a"]]


async def test_callers_arriving_during_a_run_share_the_next_one() -> None:
    recorder = Recorder()
    recorder.gate = asyncio.Event()
    batcher = Batcher(recorder.run)
    first = asyncio.ensure_future(batcher("a"))
    await asyncio.sleep(0.01)  # "a" is being run
    later = [asyncio.ensure_future(batcher(x)) for x in ("b", "c", "b")]
    await asyncio.sleep(0.01)
    assert recorder.runs == [["a"]]  # nobody joined the run already under way
    recorder.gate.set()
    assert await first == "A"
    assert await asyncio.gather(*later) == ["B", "C", "B"]
    assert recorder.runs == [["a"], ["b", "c", "b"]]


async def test_a_failing_run_raises_to_each_of_its_callers_and_the_next_run_works() -> None:
    recorder = Recorder(fail_on="x")
    batcher = Batcher(recorder.run)
    results = await asyncio.gather(batcher("x"), batcher("y"), return_exceptions=True)
    assert [type(r) for r in results] == [ValueError, ValueError]
    assert await batcher("z") == "Z"


async def test_a_cancelled_caller_leaves_the_others_their_results() -> None:
    recorder = Recorder()
    recorder.gate = asyncio.Event()
    batcher = Batcher(recorder.run)
    gone = asyncio.ensure_future(batcher("a"))
    stays = asyncio.ensure_future(batcher("b"))
    await asyncio.sleep(0.01)
    gone.cancel()
    recorder.gate.set()
    assert await stays == "B"
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert recorder.runs == [["a", "b"]]
