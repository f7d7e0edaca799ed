"""The load generator, run in its own process: ``_load.py PORT SECONDS CONCURRENCY WARMUP``.

Reads one raw HTTP/1.1 request (with ``Connection: close``) on stdin and
sends it over and over from CONCURRENCY asyncio connections, one request
per connection as gunicorn's sync workers serve them. Prints JSON: requests
per second counted after the warm-up, status codes seen, and every response
served (warm-up included, for CPU per request).
"""
import asyncio
import json
import sys
import time
from collections import Counter


async def main(port: int, seconds: float, concurrency: int, warmup: float, request: bytes) -> dict:
    statuses: Counter = Counter()
    done = served = 0
    start = time.perf_counter()
    counting_from = start + warmup
    end = counting_from + seconds

    async def worker():
        nonlocal done, served
        while True:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            data = await reader.read()
            writer.close()
            served += 1
            moment = time.perf_counter()
            if moment >= end:
                return
            if moment >= counting_from:
                done += 1
                statuses[data[9:12].decode()] += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {"rps": done / seconds, "requests": done, "served": served, "statuses": dict(statuses)}


if __name__ == "__main__":
    port, seconds, concurrency, warmup = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    print(json.dumps(asyncio.run(main(port, seconds, concurrency, warmup, sys.stdin.buffer.read()))))
