"""The Lua scripts of the position index, and running them with EVALSHA.

Scripts live as .lua files in dispatch/lua/; `common.lua` is prepended to those that use its
helpers. We do not use redis-py's Script objects in pipelines: they send SCRIPT EXISTS before
every pipeline, one extra round trip per batch. Instead we EVALSHA and, only when Redis answers
NOSCRIPT (it restarted empty, failed over, or someone ran SCRIPT FLUSH), load every script and
re-run just the calls that failed, so no call is ever applied twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any, NamedTuple

from redis.asyncio import Redis
from redis.client import NEVER_DECODE
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from dispatch.errors import IndexScriptError, IndexUnavailableError
from dispatch.wire import Wire, pack

SCRIPT_NAMES = ("upsert", "evict", "claim", "unclaim", "restate", "sweep", "search", "snapshot")
_STANDALONE = frozenset({"claim", "unclaim", "search"})
_RAW = {NEVER_DECODE: True}


class Call(NamedTuple):
    """One script invocation: the script's name, its KEYS and its ARGV."""

    name: str
    keys: Sequence[str | bytes]
    args: Sequence[str | bytes | int | float]


def _source(name: str) -> str:
    lua = files("dispatch") / "lua"
    body = (lua / f"{name}.lua").read_text(encoding="utf-8")
    if name in _STANDALONE:
        return body
    return (lua / "common.lua").read_text(encoding="utf-8") + "\n" + body


@asynccontextmanager
async def redis_errors(what: str) -> AsyncIterator[None]:
    """Turn redis-py errors into dispatch errors that say what we were doing."""
    try:
        yield
    except (RedisConnectionError, RedisTimeoutError) as exc:
        raise IndexUnavailableError(f"Redis unavailable during {what}: {exc}") from exc
    except RedisError as exc:
        raise IndexScriptError(f"Redis refused {what}: {exc}") from exc


def _script_error(call: Call, exc: RedisError) -> IndexScriptError | IndexUnavailableError:
    """What a redis-py error during one script call means to the index's callers."""
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):
        return IndexUnavailableError(f"Redis unavailable during script {call.name}: {exc}")
    return IndexScriptError(f"Redis refused script {call.name}: {exc}")


class Scripts:
    """The index's scripts with their SHA1 digests, ready to EVALSHA on any client."""

    def __init__(self) -> None:
        self.source = {name: _source(name) for name in SCRIPT_NAMES}
        self.sha = {
            name: hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
            for name, text in self.source.items()
        }

    async def load(self, redis: Redis) -> None:
        """SCRIPT LOAD every script (done on demand after NOSCRIPT; callable at startup)."""
        async with redis_errors("loading scripts"):
            pipe = redis.pipeline(transaction=False)
            for text in self.source.values():
                pipe.script_load(text)
            await pipe.execute()

    async def run(self, redis: Redis, call: Call, *, raw: bool = False) -> Any:
        """Run one script and return its reply (`raw`: bulk strings stay bytes, never decoded)."""
        # the search's hot path: no context manager, no pipeline object, one EVALSHA
        try:
            try:
                return await self._evalsha(redis, call, raw)
            except NoScriptError:
                await self.load(redis)
                return await self._evalsha(redis, call, raw)
        except RedisError as exc:
            raise _script_error(call, exc) from exc

    async def run_on_wire(self, wire: Wire, redis: Redis, call: Call) -> Any:
        """`run` over the search's own connection (dispatch/wire.py); replies stay bytes.

        Only for scripts that read (search): a call whose connection was lost is sent again.
        `redis` loads the scripts when the server answers NOSCRIPT.
        """
        packed = pack("EVALSHA", self.sha[call.name], len(call.keys), *call.keys, *call.args)
        # after a Redis restart both can happen: the connection is gone, then the scripts
        reconnected = reloaded = False
        try:
            while True:
                try:
                    return await wire.call(packed)
                except RedisConnectionError:
                    # a search only reads: once more on a fresh connection is safe
                    if reconnected:
                        raise
                    reconnected = True
                except NoScriptError:
                    if reloaded:
                        raise
                    reloaded = True
                    await self.load(redis)
        except RedisError as exc:
            raise _script_error(call, exc) from exc

    async def run_many(
        self, redis: Redis, calls: Sequence[Call], *, raw: bool = False
    ) -> list[Any]:
        """Run scripts in one pipeline (one round trip); replies in call order."""
        if len(calls) == 1:
            return [await self.run(redis, calls[0], raw=raw)]
        async with redis_errors(f"{len(calls)} scripts"):
            replies = await self._pipeline(redis, calls, raw)
            missing = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
            if missing:
                await self.load(redis)
                again = await self._pipeline(redis, [calls[i] for i in missing], raw)
                for i, reply in zip(missing, again, strict=True):
                    replies[i] = reply
            for call, reply in zip(calls, replies, strict=True):
                if isinstance(reply, ResponseError):
                    raise IndexScriptError(f"script {call.name} failed: {reply}") from reply
            return replies

    async def _evalsha(self, redis: Redis, call: Call, raw: bool) -> Any:
        options = _RAW if raw else {}
        # evalsha() takes no options, and Redis.execute_command is untyped in redis-py
        return await redis.execute_command(  # type: ignore[no-untyped-call]
            "EVALSHA", self.sha[call.name], len(call.keys), *call.keys, *call.args, **options
        )

    async def _pipeline(self, redis: Redis, calls: Sequence[Call], raw: bool) -> list[Any]:
        pipe = redis.pipeline(transaction=False)
        options = _RAW if raw else {}
        for call in calls:
            pipe.execute_command(
                "EVALSHA", self.sha[call.name], len(call.keys), *call.keys, *call.args, **options
            )
        return list(await pipe.execute(raise_on_error=False))


async def unlink_matching(redis: Redis, pattern: str) -> int:
    """UNLINK every key matching `pattern`, 1000 at a time (SCAN, never KEYS); returns the count."""
    deleted = 0
    batch: list[str | bytes] = []
    async for key in redis.scan_iter(match=pattern, count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            deleted += await redis.unlink(*batch)
            batch = []
    if batch:
        deleted += await redis.unlink(*batch)
    return deleted
