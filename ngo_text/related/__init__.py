"""Related articles: a searchable index over a corpus and teaser blocks.

:class:`RelatedIndex` ranks the articles of a corpus by how related they are
to a given article. The score mixes several signals:

* **text** -- sublinear TF-IDF cosine on lower-cased words, mixed with the
  cosine in an LSA space (truncated SVD of words + hashed character 3-5
  grams, which catches German compounds and inflection), refined by a
  **graph diffusion** over the k-nearest-neighbour graph of the corpus
  (each article gets a sparse "diffusion profile": the articles reachable in
  a few weighted steps; two articles whose neighbourhoods overlap are
  related even if they share few words). On the 10kGNAD test set every one
  of these steps raised same-category precision@3 (words 0.675, + LSA 0.687,
  + char n-grams 0.712, + diffusion 0.733, + cheap entities 0.737; see
  ``bench/related.py``).
* **encoder** (optional, ``encoder="use-multilingual"``) -- cosine of
  pretrained multilingual sentence embeddings (:mod:`ngo_text.embeddings`)
  mixed into the base text similarity before the diffusion: 10kGNAD
  precision@3 0.759 (first 256 tokens of each article), at ~12 ms per
  article when indexing.
* **entities** -- shared canonical entities (``Entity.canonical`` or the
  surface text; dates excluded), idf-weighted cosine.
* **topics** -- shared topic labels.
* **recency** -- optional exponential decay with a half-life in days; an
  article never gets newer articles unless ``allow_future=True``.
* **diversity** -- near-duplicates (word cosine above ``dedup_threshold``)
  collapse to the best-scored one, and duplicates of the article itself are
  excluded, as are the article itself, articles with the same URL and the
  ids in ``block``.

Incremental use: :meth:`RelatedIndex.add` and :meth:`RelatedIndex.remove`
work without refitting. The vocabulary, idf weights, LSA projection and the
neighbourhood graph are *frozen* at :meth:`RelatedIndex.fit`; new articles
are transformed with them (their diffusion profile is built from their
nearest fitted neighbours). Call :meth:`RelatedIndex.refit` after many
changes to rebuild everything from the stored articles.

Memory: all matrices are float32; :meth:`RelatedIndex.all_pairs` scores
rows in chunks (``chunk_size`` x N dense block at most, never N x N) and
selects the top k with :func:`numpy.argpartition`.

Persistence: :meth:`RelatedIndex.save` writes ``<path>.json`` (format name,
version, settings, article metadata, vocabulary) and ``<path>.npz`` (arrays,
loaded with ``allow_pickle=False``). Nothing is ever unpickled.

Modules: :mod:`.documents` (input -> stored article, the result type),
:mod:`.features` (word/char/LSA/entity/topic rows, the weights frozen at
fit), :mod:`.graph` (kNN graph and diffusion profiles), :mod:`.scoring`
(similarities, rules, top-k, reasons), :mod:`.persistence` (save/load),
:mod:`.index` (:class:`RelatedIndex`), :mod:`.teaser` (teaser blocks).
"""
from __future__ import annotations

from .documents import Related
from .index import RelatedIndex
from .teaser import shorten_summary, teaser_block

__all__ = ["Related", "RelatedIndex", "teaser_block", "shorten_summary"]
