#!/usr/bin/env python3
"""How long after a publish an article is found by search (docs/BENCHMARKS.md).

    scripts/index_lag.py --publish http://127.0.0.1:18081 --key KEY [--search URL] [-n 30]

Publishes N articles through the admin API of the node at --publish, each with a made-up
word in its title, and polls `/api/v1/search?q=WORD` on the node at --search (default:
the same node; give another node to measure how fast it follows) every 5 ms until the
article is found. Times are from sending the publish request to the first search that
finds it. The articles are unpublished again at the end. Python 3 stdlib only; targets
127.0.0.1.
"""

import argparse
import json
import random
import statistics
import string
import time
import urllib.request


def call(method, url, key=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if key:
        req.add_header("Authorization", f"Bearer {key}")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--publish", required=True)
    p.add_argument("--search")
    p.add_argument("--key", required=True)
    p.add_argument("-n", type=int, default=30)
    a = p.parse_args()
    search = a.search or a.publish
    lags, made = [], []
    for i in range(a.n):
        word = "lag" + "".join(random.choice(string.ascii_lowercase) for _ in range(10))
        started = time.perf_counter()
        article = call(
            "POST",
            f"{a.publish}/api/v1/admin/articles",
            a.key,
            {
                "title": f"Index lag probe {word}",
                "body": f"A probe article {i} for the index lag measurement, word {word}.",
                "status": "published",
            },
        )
        made.append(article)
        while True:
            hits = call("GET", f"{search}/api/v1/search?q={word}")
            if hits["items"]:
                lags.append((time.perf_counter() - started) * 1000)
                break
            if time.perf_counter() - started > 30:
                raise SystemExit(f"{word} not found after 30 s")
            time.sleep(0.005)
        # A random pause, so that publishes fall at every phase of another node's polling.
        time.sleep(random.uniform(0.1, 1.3))
    for article in made:
        call("POST", f"{a.publish}/api/v1/admin/articles/{article['id']}/unpublish", a.key)
    lags.sort()
    print(
        f"publish -> found by search over {len(lags)} articles: "
        f"median {statistics.median(lags):.1f} ms, "
        f"p90 {lags[int(len(lags) * 0.9) - 1]:.1f} ms, max {lags[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
