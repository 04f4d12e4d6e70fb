"""ngo_text.dask: a 2-process LocalCluster gives the same records as a single process."""
from __future__ import annotations

import csv
import json

import dask.bag as db  # the dev extra installs dask[distributed,dataframe]
import dask.dataframe as dd
import pandas as pd
import pytest

from ngo_text.dask import (
    OUTPUT_COLUMNS,
    records_from_frame,
    tag_bag,
    tag_dataframe,
    tag_meta,
    tag_partition,
)

N_ARTICLES = 12


@pytest.fixture(scope="module")
def raw_df(sample_dir) -> pd.DataFrame:
    with (sample_dir / "metadata.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[:N_ARTICLES]
    out = []
    for r in rows:
        path = sample_dir / r["file"]
        content = path.read_text(encoding="utf-8")
        key = "html" if path.suffix in (".html", ".htm") else "text"
        out.append({"id": r["id"], "url": r["url"], "published": r["published"],
                    "text": content if key == "text" else None,
                    "html": content if key == "html" else None})
    return pd.DataFrame(out)


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, memory_limit="1.5GiB")
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def _canon(records: list[dict]) -> dict[str, str]:
    return {r["id"]: json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records}


def _diff(a: list[dict], b: list[dict]) -> str:
    """The first differing record fields, for a readable failure message."""
    bb = {r["id"]: r for r in b}
    for r in a:
        other = bb.get(r["id"])
        if other != r:
            keys = [k for k in r if other is None or r.get(k) != other.get(k)]
            return f"{r['id']}: fields differ: {keys}"
    return "same"


def _pipeline_loads() -> dict[str, int]:
    """How often this process loaded a pipeline and how many it keeps (run on each worker)."""
    from ngo_text.nlp.pipeline import _load_cached

    info = _load_cached.cache_info()
    return {"loaded": info.misses, "kept": info.currsize}


def test_tag_partition_keeps_bad_rows_as_errors():
    df = pd.DataFrame({"id": ["ok", "empty"], "text": ["Titel\n\nBerlin – Ein Text über Kinder.", ""]},
                      index=[10, 11])
    out = tag_partition(df, no_nlp=True)
    assert list(out.columns) == OUTPUT_COLUMNS and list(out.index) == [10, 11]
    assert out.loc[10, "error"] is None and out.loc[10, "id"] == "ok"
    assert out.loc[11, "error"] and out.loc[11, "id"] == "empty"
    assert list(tag_meta().columns) == OUTPUT_COLUMNS


def test_bag_no_nlp_equals_single_process(raw_df, client):
    items = raw_df.to_dict(orient="records")
    single = tag_bag(db.from_sequence(items, npartitions=1), no_nlp=True).compute(scheduler="sync")
    dist = tag_bag(db.from_sequence(items, npartitions=4), no_nlp=True).compute()
    assert [r["id"] for r in dist] == list(raw_df["id"]) and len(dist) == N_ARTICLES
    assert all(r["error"] is None for r in dist)
    assert _canon(dist) == _canon(single), _diff(dist, single)


def test_dataframe_with_model_equals_single_process(nlp, raw_df, client):
    single = records_from_frame(tag_partition(raw_df))  # in-process, same bundled model
    assert sum(len(r["entities"]) for r in single) > 0
    ddf = dd.from_pandas(raw_df, npartitions=4)
    result = tag_dataframe(ddf).compute()
    assert list(result["id"]) == list(raw_df["id"])
    assert result["error"].isna().all()
    dist = records_from_frame(result)
    assert _canon(dist) == _canon(single), _diff(dist, single)
    # each worker process loaded the model once (ngo_text.load's cache) and kept it
    loads = client.run(_pipeline_loads)
    assert len(loads) == 2 and all(v == {"loaded": 1, "kept": 1} for v in loads.values()), loads
