"""Saving and loading a related index: ``<path>.json`` + ``<path>.npz``, nothing unpickled.

The JSON holds the format name and version, the settings, the vocabularies,
the article metadata (incl. text, for a refit) and the SHA-256 of the npz;
the npz only numeric arrays (read with ``allow_pickle=False``). Both files
are written atomically (:func:`ngo_text.io.atomic_write`), the npz first, so
a reader sees a matching pair unless a crash falls between the two renames
(then the digest check rejects the pair).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from ..errors import ModelFormatError, ModelNotFoundError
from ..io import atomic_write
from ..model import to_date
from .documents import IndexedDoc
from .features import FeatureSpace, Rows
from .graph import Graph

if TYPE_CHECKING:
    from .index import RelatedIndex

FORMAT_NAME = "ngo_text.related_index"
FORMAT_VERSION = 1


def _paths(path: str | os.PathLike) -> tuple[Path, Path, Path]:
    """(base, json path, npz path); ``path`` with or without suffix."""
    base = Path(path)
    if base.suffix in (".json", ".npz"):
        base = base.with_suffix("")
    return base, base.with_suffix(".json"), base.with_suffix(".npz")


def _sparse_to_arrays(prefix: str, m: sp.csr_matrix) -> dict[str, np.ndarray]:
    m = m.tocsr()
    return {f"{prefix}_data": m.data.astype(np.float32), f"{prefix}_indices": m.indices.astype(np.int32),
            f"{prefix}_indptr": m.indptr.astype(np.int64), f"{prefix}_shape": np.array(m.shape, dtype=np.int64)}


def _sparse_from_arrays(prefix: str, arrs: Any) -> sp.csr_matrix:
    shape = tuple(int(x) for x in arrs[f"{prefix}_shape"])
    m = sp.csr_matrix((arrs[f"{prefix}_data"], arrs[f"{prefix}_indices"], arrs[f"{prefix}_indptr"]), shape=shape)
    m.check_format(full_check=True)
    return m


def save_index(index: "RelatedIndex", path: str | os.PathLike) -> Path:
    """Write a fitted ``index`` to ``<path>.json`` and ``<path>.npz``; returns the JSON path."""
    base, json_path, npz_path = _paths(path)
    base.parent.mkdir(parents=True, exist_ok=True)
    space, rows, graph = index._space, index._rows, index._graph
    arrays: dict[str, np.ndarray] = {"idf_w": space.idf_w, "idf_c": space.idf_c, "idf_e": space.idf_e,
                                     "dates": index._dates}
    arrays.update(_sparse_to_arrays("xw", rows.xw))
    arrays.update(_sparse_to_arrays("xe", rows.xe))
    arrays.update(_sparse_to_arrays("xt", rows.xt))
    if rows.z is not None:
        assert space.svd_components is not None  # fitted/loaded together with z
        arrays["z"] = rows.z
        arrays["svd"] = space.svd_components
    if rows.u is not None:
        arrays["u"] = rows.u
    if index._profiles is not None:
        assert graph is not None  # profiles exist only with a graph
        arrays.update(_sparse_to_arrays("prof", index._profiles))
        arrays["graph_deg"] = graph.deg
        if graph.profiles is not index._profiles:  # after add()/remove(): keep the graph nodes
            arrays.update(_sparse_to_arrays("node_prof", graph.profiles))
            arrays.update(_sparse_to_arrays("node_xw", graph.nodes.xw))
            if graph.nodes.z is not None:
                arrays["node_z"] = graph.nodes.z
            if graph.nodes.u is not None:
                arrays["node_u"] = graph.nodes.u
    meta = {
        "format": FORMAT_NAME, "version": FORMAT_VERSION,
        "params": index._params(),
        "block": sorted(index.block),
        "terms": space.terms,
        "entities": [[k, space.ent_names.get(k, k)]
                     for k in sorted(space.ent_vocab, key=space.ent_vocab.__getitem__)],
        "topics": sorted(space.topic_vocab, key=space.topic_vocab.__getitem__),
        "docs": [{**asdict(d), "published": d.published.isoformat() if d.published else None}
                 for d in index._docs],
    }
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]  # numpy stub: ** might fill allow_pickle
    raw = buf.getvalue()
    del buf
    meta["npz_sha256"] = hashlib.sha256(raw).hexdigest()
    text = json.dumps(meta, ensure_ascii=False).encode("utf-8")

    def write_npz(fh: BinaryIO) -> None:
        fh.write(raw)

    def write_json(fh: BinaryIO) -> None:
        fh.write(text)

    atomic_write(npz_path, write_npz)
    atomic_write(json_path, write_json)
    return json_path


def load_index(cls: type["RelatedIndex"], path: str | os.PathLike) -> "RelatedIndex":
    """Read an index written by :func:`save_index` (see :meth:`RelatedIndex.load`)."""
    base, json_path, npz_path = _paths(path)
    if not json_path.exists() or not npz_path.exists():
        raise ModelNotFoundError(f"no related index at {base} (need {json_path.name} and {npz_path.name})")
    try:
        meta = json.loads(json_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelFormatError(f"{json_path} is not valid JSON ({exc}); re-create the index with save()") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise ModelFormatError(f"{json_path} is not a ngo_text related index")
    if meta.get("version") != FORMAT_VERSION:
        raise ModelFormatError(f"{json_path} has format version {meta.get('version')!r}, this ngo_text "
                               f"reads version {FORMAT_VERSION}; refit and save the index again")
    raw = npz_path.read_bytes()
    if meta.get("npz_sha256") != hashlib.sha256(raw).hexdigest():
        raise ModelFormatError(f"{npz_path} does not match {json_path.name} (damaged or replaced); "
                               "refit and save the index again")
    try:
        params = dict(meta["params"])
        # indexes saved before encoder_tokens existed embedded whole texts (4,096 tokens)
        params.setdefault("encoder_tokens", 4096)
        index = cls(**params, block=meta.get("block", ()))
        space = FeatureSpace(encoder=index.encoder, encoder_tokens=index.encoder_tokens)
        with np.load(io.BytesIO(raw), allow_pickle=False) as arrs:
            space.set_terms(list(meta["terms"]))
            space.idf_w = arrs["idf_w"].astype(np.float32)
            space.idf_c = arrs["idf_c"].astype(np.float32)
            space.idf_e = arrs["idf_e"].astype(np.float32)
            space.svd_components = arrs["svd"] if "svd" in arrs.files else None
            dates = arrs["dates"].astype(np.int32)
            rows = Rows(xw=_sparse_from_arrays("xw", arrs), z=arrs["z"] if "z" in arrs.files else None,
                        u=arrs["u"] if "u" in arrs.files else None,
                        xe=_sparse_from_arrays("xe", arrs), xt=_sparse_from_arrays("xt", arrs))
            profiles = _sparse_from_arrays("prof", arrs) if "prof_data" in arrs.files else None
            graph = None
            if profiles is not None:
                deg = arrs["graph_deg"].astype(np.float32)
                if "node_prof_data" in arrs.files:
                    node_xw = _sparse_from_arrays("node_xw", arrs)
                    # the graph compares only text parts; no entity/topic rows are stored for nodes
                    empty = sp.csr_matrix((node_xw.shape[0], 0), dtype=np.float32)
                    nodes = Rows(xw=node_xw, z=arrs["node_z"] if "node_z" in arrs.files else None,
                                 u=arrs["node_u"] if "node_u" in arrs.files else None, xe=empty, xt=empty)
                    graph = Graph(deg=deg, profiles=_sparse_from_arrays("node_prof", arrs), nodes=nodes)
                else:
                    graph = Graph(deg=deg, profiles=profiles, nodes=rows)
        space.set_entities([(str(k), str(n)) for k, n in meta["entities"]])
        space.topic_vocab = {t: i for i, t in enumerate(meta["topics"])}
        docs = [IndexedDoc(id=d["id"], title=d["title"], text=d["text"], lead=d["lead"],
                           entities=[(str(a), str(b)) for a, b in d["entities"]],
                           topics=list(d["topics"]), published=to_date(d["published"]), url=d["url"])
                for d in meta["docs"]]
    except ModelFormatError:
        raise
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ModelFormatError(f"{base}: damaged related index ({type(exc).__name__}: {exc}); "
                               "refit and save the index again") from exc
    n = len(docs)
    if rows.xw.shape[0] != n or dates.shape[0] != n or (rows.z is not None and len(rows.z) != n) \
            or (rows.u is not None and len(rows.u) != n) or ((rows.u is None) != (index.encoder is None)):
        raise ModelFormatError(f"{base}: array sizes do not match the article list; refit and save again")
    index._set_state(space=space, docs=docs, rows=rows, dates=dates, profiles=profiles, graph=graph)
    return index
