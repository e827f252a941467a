#!/usr/bin/env python3
"""Repeat a JSON Lines corpus with changed ids until it has N articles (for benchmarks).

    scripts/bench_corpus.py ../shared/corpus/bbc.jsonl 100000 > /tmp/bench-100k.jsonl

Each copy k > 0 gets external_id "<id>-r<k>", a title suffix " (r<k>)" and its paragraphs
rotated by k, so copies differ in id, slug and text order (the related-articles engine of
issue 4 must not see them as byte-identical). Dates are spread over the last 3 years so
lists and cursors behave as on a real archive.
"""
import json
import sys
from datetime import datetime, timedelta, timezone


def main():
    src, n = sys.argv[1], int(sys.argv[2])
    base = [json.loads(line) for line in open(src, encoding="utf-8") if line.strip()]
    start = datetime(2023, 11, 26, tzinfo=timezone.utc)
    out = sys.stdout
    for i in range(n):
        k, rec = divmod(i, len(base))
        a = dict(base[rec])
        if k:
            a["external_id"] = f"{a.get('external_id') or 'a'}-r{k}"
            a["title"] = f"{a['title']} (r{k})"
            paras = a["body"].split("\n\n")
            r = k % max(1, len(paras))
            a["body"] = "\n\n".join(paras[r:] + paras[:r])
        a["published_at"] = (start + timedelta(seconds=i * 900)).strftime("%Y-%m-%dT%H:%M:%SZ")
        out.write(json.dumps(a, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
