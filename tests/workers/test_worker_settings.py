"""The worker's configuration: our msgpack serializer (never pickle), fast polling, the sweeper cron."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import msgpack
import pytest
import redis.asyncio as aioredis

from gateway.settings import Settings
from models.members.models import Channel
from workers.queue import Queue, deserialize, serialize
from workers.runner import build_worker


async def test_the_worker_uses_the_msgpack_serializer(settings: Settings) -> None:
    # when
    worker = build_worker(settings)
    # then
    assert (worker.job_serializer, worker.job_deserializer) == (serialize, deserialize)


async def test_a_queued_job_is_stored_as_msgpack(queue: Queue, redis_url: str) -> None:
    # given
    await queue.deliver([(42, Channel.SMS)])
    client = aioredis.from_url(redis_url)
    # when
    stored = await client.get("arq:job:outbox:42")
    await client.aclose()
    # then
    job = msgpack.unpackb(stored, raw=False)
    assert (job["f"], job["a"], job["k"]) == ("send_sms", [42], {})


def test_serialize_round_trips_a_job_and_refuses_pickle() -> None:
    # given
    job = {"f": "send_email", "a": [7], "k": {}, "t": 1, "et": datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)}
    # when
    restored = deserialize(serialize(job))
    # then
    assert restored == job
    with pytest.raises(ValueError, match="unpack"):
        deserialize(pickle.dumps(job))


async def test_the_worker_polls_often_and_runs_many_jobs_at_once(settings: Settings) -> None:
    # when
    worker = build_worker(settings)
    # then
    assert worker.poll_delay_s <= 0.05
    assert worker.max_jobs >= 50
    assert worker.queue_name == "gateway:queue"


async def test_the_sweeper_runs_at_startup_and_every_two_seconds(settings: Settings) -> None:
    # when
    worker = build_worker(settings)
    # then
    [sweeper] = [job for job in worker.cron_jobs if job.name == "cron:sweep_outbox"]
    assert (sweeper.name, sweeper.run_at_startup, sweeper.second) == (
        "cron:sweep_outbox",
        True,
        set(range(0, 60, 2)),
    )


async def test_delivery_jobs_keep_no_result_that_would_block_a_requeue(settings: Settings) -> None:
    # when
    worker = build_worker(settings, burst=True)
    # then
    assert worker.cron_jobs == []
    assert {name: function.keep_result_s for name, function in worker.functions.items()} == {
        "send_email": 0,
        "send_sms": 0,
    }
    assert worker.keep_result_s == 0
