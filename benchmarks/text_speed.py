"""Speed and size of the text engine on synthetic Chinese documents (docs/text.md, docs/performance.md).

    .venv/bin/python benchmarks/text_speed.py [--sizes 100000,1000000] [--queries 200] [--dim 128] [--json]

For each size N: N documents generated from a seeded vocabulary (made-up two- to four-character words of
common characters, 500 topics with Zipf-like word weights, one or two topics per document, 60–160 words
in sentences of 6–14 words — text with structure, like a committee's records, not uniform noise); the
similar-item index built over them (SimilarIndex with the product's settings above its exact limit:
TF-IDF of words and character bigrams, truncated SVD fitted on 50,000 of them, usearch HNSW); then
`--queries` queries, half rewritten copies of indexed documents (sentences shuffled, title dropped, 20 %
removed) and half new documents, and for each:
- the latency of the approximate top-10 (the vector search alone) and of the whole query (vectorising,
  search, reranking 50 candidates on the full sparse vectors, passages);
- recall@10 of the approximate top-10 against the exact top-10 by the same vectors (brute force);
- for the rewritten copies, whether the original came first.
Also the build time (tokenising and vectorising included), the index's memory, and the category
suggestion latency of a model trained on 500 generated documents.
"""

import argparse
import gc
import json
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xieshang.text import engine  # noqa: E402
from xieshang.text.evaluate import rewrite  # noqa: E402

# 2,500 characters of the CJK block stand for the common characters of real text.
COMMON = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]


class Generator:
    def __init__(self, seed=16, words=30_000, topics=500, topic_words=300):
        rng = np.random.default_rng(seed)
        self.rng = random.Random(seed)
        lengths = rng.integers(2, 5, size=words)
        chars = rng.integers(0, len(COMMON), size=(words, 4))
        self.words = ["".join(COMMON[c] for c in chars[i, : lengths[i]]) for i in range(words)]
        self.general = list(range(2000))  # function words every topic uses
        self.topics = [rng.choice(np.arange(2000, words), size=topic_words, replace=False).tolist() for _ in range(topics)]
        zipf = 1 / np.arange(1, topic_words + 1) ** 1.1
        self.cum = np.cumsum(zipf / zipf.sum())
        self.np_rng = rng

    def _words(self, topic, count):
        """`count` words of a topic: 35 % from the shared general words, the rest Zipf-like from the topic."""
        general = self.np_rng.random(count) < 0.35
        picks = np.where(general, self.np_rng.integers(0, 2000, size=count),
                         np.asarray(topic)[np.minimum(np.searchsorted(self.cum, self.np_rng.random(count)),
                                                      len(self.cum) - 1)])
        return [self.words[i] for i in picks]

    def doc(self):
        r = self.rng
        topics = [r.randrange(len(self.topics)) for _ in range(r.choice((1, 1, 2)))]
        lengths = [r.randint(6, 14) for _ in range(r.randint(6, 14))]
        title_length = r.randint(3, 6)
        pools = [self._words(self.topics[t], sum(lengths) + title_length) for t in topics]
        title = "关于" + "".join(pools[0][-title_length:]) + "的建议"
        sentences, at = [], 0
        for length in lengths:
            pool = pools[r.randrange(len(pools))]
            sentences.append("".join(pool[at : at + length]) + "。")
            at += length
        return title, "".join(sentences), topics[0]


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def bench_index(n, queries, dim, seed=16):
    gen = Generator(seed)
    started = time.monotonic()
    docs = [gen.doc() for _ in range(n)]
    generated = time.monotonic() - started
    index = engine.SimilarIndex(dim=dim, exact_limit=min(20_000, n - 1))
    for i, (title, body, _t) in enumerate(docs):
        index.add(i, title, body)
    gc.collect()
    started = time.monotonic()
    index.build()
    build = time.monotonic() - started
    vectors = index.vectors()  # for the exact (brute force) top-10
    rng = random.Random(seed)
    queries_made = []
    for q in range(queries):
        if q % 2 == 0:
            target = rng.randrange(n)
            queries_made.append(("", rewrite(docs[target][1], rng), target))
        else:
            title, body, _t = gen.doc()
            queries_made.append((title, body, None))
    exact = []
    for title, body, _target in queries_made:
        _S, D = index._vectors([index._doc(title, body)])
        sims = vectors @ D[0]
        exact.append(set(np.argpartition(-sims, 10)[:10].tolist()))
    default_ef = index.ann.expansion_search
    sweep = {}
    for ef in (64, 96, 160, 256):  # the search's breadth: recall against latency
        index.ann.expansion_search = ef
        ms, cpu, recall = [], [], []
        for (title, body, _target), truth in zip(queries_made, exact):
            c0, t0 = time.process_time(), time.perf_counter()
            pos, _scores, _S = index.candidates(title, body, 10)
            ms.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            recall.append(len(truth & set(pos.tolist())) / 10)
        sweep[ef] = {"median_ms": round(statistics.median(ms), 2), "p95_ms": round(pct(ms, 0.95), 2),
                     "median_cpu_ms": round(statistics.median(cpu), 2),
                     "recall_at_10_vs_exact": round(statistics.mean(recall), 4)}
    index.ann.expansion_search = default_ef
    full_ms, full_cpu, first = [], [], []
    for title, body, target in queries_made:
        c0, t0 = time.process_time(), time.perf_counter()
        found = index.query(title, body, k=10)
        full_ms.append((time.perf_counter() - t0) * 1000)
        full_cpu.append((time.process_time() - c0) * 1000)
        if target is not None:
            first.append(found[0].id == target)
    texts_mb = sum(len(t) for t in index.texts) * 2 / 2**20
    return {
        "n": n, "dim": index.svd.n_components, "generate_s": round(generated, 1), "build_s": round(build, 1),
        "build_phases": index.timings, "index_mb": round(index.memory_bytes() / 2**20),
        "graph_and_vectors_mb": round(index.ann.memory_usage / 2**20), "texts_mb_approx": round(texts_mb),
        "peak_rss_mb": round(peak_rss_mb()), "queries": queries,
        "ann_top10_by_expansion_search": sweep, "default_expansion_search": default_ef,
        "query_with_rerank_and_passages": {"median_ms": round(statistics.median(full_ms), 2),
                                           "p95_ms": round(pct(full_ms, 0.95), 2),
                                           "median_cpu_ms": round(statistics.median(full_cpu), 2)},
        "rewritten_copy_first": round(statistics.mean(first), 4),
        "load_average_1min": round(os.getloadavg()[0], 1),
    }


def bench_suggest(seed=16, n=500, requests=200):
    gen = Generator(seed, topics=12)
    rows = []
    for _ in range(n):
        title, body, topic = gen.doc()
        rows.append({"title": title, "body": body, "category": f"类{topic}", "unit": f"单位{topic % 7}、单位{topic % 5}"})
    started = time.monotonic()
    model = engine.train(rows)
    train_s = time.monotonic() - started
    times, cpu = [], []
    for _ in range(requests):
        title, body, _t = gen.doc()
        c0, t0 = time.process_time(), time.perf_counter()
        model.suggest_categories(title, body, k=3)
        model.suggest_units(title, body, k=3)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return {"train_rows": n, "train_s": round(train_s, 2),
            "suggest_ms": {"median": round(statistics.median(times), 2), "p95": round(pct(times, 0.95), 2)},
            "suggest_cpu_ms": {"median": round(statistics.median(cpu), 2), "p95": round(pct(cpu, 0.95), 2)},
            "load_average_1min": round(os.getloadavg()[0], 1)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    results = {"suggest": bench_suggest()}
    print(json.dumps(results["suggest"]), flush=True)
    for n in [int(s) for s in args.sizes.split(",") if s]:
        results[n] = bench_index(n, args.queries, args.dim)
        print(json.dumps(results[n]), flush=True)
        gc.collect()
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
