"""Reference validation client: N NeverBounce single checks with asyncio + aiohttp, at most C in flight (semaphore).
Usage: python3 bench/aiohttp_client.py URL N C   (Debian: apt-get install python3-aiohttp)"""
import asyncio
import sys
import time

import aiohttp


async def main(url, n, c):
    semaphore = asyncio.Semaphore(c)
    connector = aiohttp.TCPConnector(limit=c)
    ok = 0
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        async def check(i):
            nonlocal ok
            async with semaphore:
                data = {"key": "bench-key", "email": "py.%06d@example.com" % i}
                async with session.post(url, data=data) as response:
                    answer = await response.json(content_type=None)
                    if answer.get("status") == "success":
                        ok += 1
        started = time.perf_counter()
        await asyncio.gather(*(check(i) for i in range(n)))
        seconds = time.perf_counter() - started
    print("%d addresses in %.2f s = %.1f addresses/s (%d answered success)" % (n, seconds, n / seconds, ok))
    return 0 if ok == n else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
