"""``python -m backend.bench.fanout [admin_dsn] [redis_url] [--quick]``."""

from __future__ import annotations

from backend.bench.fanout.run import main

if __name__ == "__main__":
    main()
