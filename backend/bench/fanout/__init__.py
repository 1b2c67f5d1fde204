"""Fan-out benchmark (issue 6): our realtime hub beside a bare ``websockets`` broadcast server.

The same 200-byte updates, at the same rate, go to N connected clients (1,000 and 5,000; 50 and
200 in quick mode). The clients are ``websockets`` connections held by a few client processes;
each update carries its send time, and a client's latency is its receive time minus that (one
host, one clock). Measured for

* **ours, outbox path** (the headline): a real backend (``python -m backend serve``) with every
  client subscribed to ``wall``; each update is committed to the ``outbox`` table, so the figure
  covers commit, NOTIFY, relay, Redis stream, hub and socket;
* **ours, stream path**: the update is appended to the Redis stream with the relay's own code
  (:meth:`EventStreams.publish`): hub and socket only;
* **peer**: ``websockets.asyncio.server.serve`` + ``broadcast()`` in its own process, sending the
  same frames (our ``event`` envelope, same size) at the same rate to the same clients.

Then the same with 1 % stalled clients: raw sockets with a 4 KiB ``SO_RCVBUF`` that subscribe and
then never read. Linux grows a sender's buffer to ``tcp_wmem`` max (4 MiB) even towards a tiny
receive window, so a stalled socket swallows megabytes before any server notices; each stalled
client is therefore sent a fill (4 MiB of large events on a topic only it has: ``me`` on ours,
a second set on the peer) before the window, as a client stalled for a while would have queued.
Reported: the keeping-up clients' p99 and their loss (must be zero for ours). Last, a burst of
updates as fast as each path takes them measures the deliveries per second the node sustains.

Run alone: ``python -m backend.bench.fanout [admin_dsn] [redis_url] [--quick]``. It creates and
drops its own database, uses its own Redis key prefix and deletes those keys afterwards.
"""

from __future__ import annotations

from backend.bench.fanout.plan import FULL, QUICK, FanoutBenchError, Plan
from backend.bench.fanout.run import main, run_fanout_bench
from backend.bench.table import format_rows

__all__ = [
    "FULL",
    "QUICK",
    "FanoutBenchError",
    "Plan",
    "format_rows",
    "main",
    "run_fanout_bench",
]
