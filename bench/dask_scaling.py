"""Articles/s of ngo_text.dask.tag_dataframe on a LocalCluster with 1 and 2 worker processes.

Usage::

    python bench/dask_scaling.py                      # sample corpus x4, workers 1 and 2
    python bench/dask_scaling.py --repeat 8 --workers 1 2 4 --model de_core_news_sm
    python bench/dask_scaling.py --scheduler tcp://scheduler:8786   # an existing cluster

Model loading is timed separately (warm-up via ``client.run(get_nlp)``) so the
figure is steady-state tagging throughput. On a real cluster::

    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def sample_frame(data_dir: Path, repeat: int):
    import pandas as pd

    with (data_dir / "metadata.csv").open(encoding="utf-8") as fh:
        meta = list(csv.DictReader(fh))
    rows = []
    for k in range(repeat):
        for r in meta:
            path = data_dir / r["file"]
            content = path.read_text(encoding="utf-8")
            html = path.suffix in (".html", ".htm")
            rows.append({"id": f"{r['id']}-{k}", "url": r["url"], "published": r["published"],
                         "text": None if html else content, "html": content if html else None})
    return pd.DataFrame(rows)


def run(n_workers: int | None, df, *, model: str | None, scheduler: str | None,
        partitions_per_worker: int) -> dict:
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from ngo_text.dask import get_nlp, tag_dataframe

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        n = len(client.scheduler_info()["workers"])
        t0 = time.perf_counter()
        client.run(get_nlp, model)  # one model load per worker process
        load_s = time.perf_counter() - t0
        ddf = dd.from_pandas(df, npartitions=max(1, n * partitions_per_worker))
        cpu0 = client.run(time.process_time)
        t0 = time.perf_counter()
        out = tag_dataframe(ddf, model=model).compute()
        secs = time.perf_counter() - t0
        cpu1 = client.run(time.process_time)
        cpu = sum(cpu1[w] - cpu0[w] for w in cpu1 if w in cpu0)
        errors = int(out["error"].notna().sum())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return {"workers": n, "articles": len(df), "seconds": secs, "rate": len(df) / secs,
            "load_s": load_s, "errors": errors, "cpu_s": cpu}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO / "data", help="sample corpus folder")
    ap.add_argument("--repeat", type=int, default=4, help="copies of the sample corpus (default 4)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--model", default=None, help="spaCy pipeline (default: bundled)")
    ap.add_argument("--scheduler", default=None, help="address of an existing scheduler")
    ap.add_argument("--partitions-per-worker", type=int, default=2)
    args = ap.parse_args(argv)
    if not (args.data / "metadata.csv").is_file():
        print(f"no sample corpus at {args.data}", file=sys.stderr)
        return 1
    df = sample_frame(args.data, args.repeat)
    print(f"{len(df)} articles ({args.repeat} x sample corpus), threads_per_worker=1")
    print(f"{'workers':>7} {'articles/s':>10} {'seconds':>8} {'worker cpu s':>12} "
          f"{'model load s':>12} {'errors':>6}")
    results = []
    for n in ([None] if args.scheduler else args.workers):
        r = run(n, df, model=args.model, scheduler=args.scheduler,
                partitions_per_worker=args.partitions_per_worker)
        results.append(r)
        print(f"{r['workers']:>7} {r['rate']:>10.1f} {r['seconds']:>8.1f} {r['cpu_s']:>12.1f} "
              f"{r['load_s']:>12.1f} {r['errors']:>6}", flush=True)
    import os

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} "
          "(speed-up needs idle cores: worker cpu s / seconds = cores actually used)")
    if len(results) > 1:
        print(f"speed-up {results[-1]['workers']} vs {results[0]['workers']} workers: "
              f"{results[-1]['rate'] / results[0]['rate']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
