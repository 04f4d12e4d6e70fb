"""The ``ngo-text`` command line tool (also ``python -m ngo_text``).

Subcommands wire the library API: ``tag`` (parse + NLP + topics into records),
``topics train|predict``, ``related`` and ``evaluate ner``. Exit codes: 0 ok,
1 an input failed or an :class:`~ngo_text.errors.NgoTextError` occurred (one line
on stderr, no traceback), 2 usage error, 130 interrupted (output left valid).
Set ``NGO_TEXT_DEBUG=1`` to get tracebacks of unexpected errors.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .errors import NgoTextError

PROG = "ngo-text"

MAIN_EPILOG = """\
examples:
  ngo-text tag data/articles -o tagged.jsonl          # analyse a folder, one JSON line per article
  ngo-text tag press.html --no-nlp                   # structure only, printed to stdout
  ngo-text tag data/ -o tagged.jsonl --resume        # continue an interrupted run
  ngo-text topics train labeled.csv -o topics.zip   # train a topic classifier
  ngo-text related tagged.jsonl --id ijm-boystown -k 4 --format html
  ngo-text evaluate ner ../shared/data/ner/germeval2014/test.tsv --limit 500

Run 'ngo-text COMMAND --help' for the options of a command.
"""

TAG_EPILOG = """\
inputs:
  Files and folders (searched recursively for .txt .md .html .htm .pdf .jsonl) and '-'
  for stdin. A .jsonl input holds one article per line: an Article record or
  {"id": ..., "text"|"html": ..., "url": ..., "published": "YYYY-MM-DD"}.
  A metadata.csv (id,file,url,published,...) beside an articles folder (same folder
  or its parent) attaches id, url and published date. Each input is read up to
  200 MB; FIFOs, devices, sockets and broken links are not read but reported as
  failed inputs (never a hang). ngo-text's own *.errors.jsonl and *.partial.jsonl
  files in a folder are not read. Texts over 20,000 characters run in pieces.

output:
  One record per article (Article.to_dict). jsonl goes to stdout when -o is missing;
  csv/parquet keep nested fields (entities, quotes, topics, ...) as JSON strings.
  Files are never left half-written: jsonl is appended record by record (flushed,
  fsynced), csv/parquet are replaced atomically at the end and, until then, kept
  record by record in OUT.partial.jsonl, so --resume after a crash or kill -9
  loses at most the article being tagged. Failed inputs are reported on
  stderr and written to OUT.errors.jsonl (or --errors FILE); the run goes on and
  exits with 1 if any input failed.

examples:
  ngo-text tag data/articles -o tagged.jsonl
  ngo-text tag a.html b.txt --no-nlp --format csv -o structure.csv
  ngo-text tag corpus/ -o tagged.jsonl --resume          # after Ctrl-C or a crash
  ngo-text tag corpus/ -o tagged.jsonl --model fast      # 3x faster, less accurate entities
  cat press.txt | ngo-text tag - --model de_core_news_sm
  ngo-text tag data/articles --topics topics.zip -o tagged.parquet
"""

TOPICS_EPILOG = """\
examples:
  ngo-text topics train labeled.csv -o topics.zip
  ngo-text topics train gnad.csv --sep ';' --quotechar "'" --label-column label --text-column text -o m.zip
  ngo-text topics predict topics.zip data/articles
"""

TRAIN_EPILOG = """\
LABELED.csv needs a text column (--text-column, default 'text'; a 'title' column
is prepended when present) and a label column (--label-column, default 'label',
falling back to 'labels' or 'topics'); several labels per row are separated by ';'.

examples:
  ngo-text topics train labeled.csv -o topics.zip
  ngo-text topics train data.csv --sep ';' --quotechar "'" -o topics.zip
  ngo-text topics train labeled.csv --encoder use-multilingual -o topics.zip
"""

PREDICT_EPILOG = """\
Prints one JSON line per article: {"id", "source", "topics": [{label, score, terms}]}.

examples:
  ngo-text topics predict topics.zip data/articles
  ngo-text topics predict topics.zip press.html --top 3
"""

RELATED_EPILOG = """\
CORPUS is a folder of articles (parsed on the fly; add --analyze to run the NLP
pipeline first) or a tagged .jsonl/.csv/.parquet file written by 'ngo-text tag'.

examples:
  ngo-text related tagged.jsonl --id ijm-boystown -k 4
  ngo-text related data/articles --id 2023-05-kinderarbeit --format html > teaser.html
  ngo-text related tagged.jsonl --format csv > pairs.csv     # all articles
"""

EVALUATE_EPILOG = """\
examples:
  ngo-text evaluate ner ../shared/data/ner/germeval2014/test.tsv --format germeval
  ngo-text evaluate ner ../shared/data/ner/mobie/test.conll2003 --format conll \\
      --label-map person=PER,organization=ORG,organization-company=ORG,location=LOC --limit 500
  ngo-text evaluate ner test.tsv --model de_core_news_sm --label-map label_map.json
"""


class _UsageError(Exception):
    """Raised for bad option combinations; exit code 2."""


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    pass


def _add_parser(sub: Any, name: str, help: str, epilog: str, description: str | None = None):
    return sub.add_parser(name, help=help, description=description or help, epilog=epilog,
                          formatter_class=_HelpFormatter)


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of ``ngo-text`` with all subcommands."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="German text analysis of NGO press releases: structure, entities, "
                    "topics, related articles.",
        epilog=MAIN_EPILOG, formatter_class=_HelpFormatter,
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    # tag ---------------------------------------------------------------
    p = _add_parser(sub, "tag", "analyse articles into one record each (jsonl/csv/parquet)",
                    TAG_EPILOG)
    p.add_argument("paths", nargs="+", metavar="PATH", help="file, folder or '-' for stdin")
    p.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout, jsonl)")
    p.add_argument("--format", choices=("jsonl", "csv", "parquet"),
                   help="output format (default: from the OUT suffix, else jsonl)")
    p.add_argument("--model", metavar="NAME",
                   help="'accurate' (default: e5-small transformer NER, GermEval F1 0.83, ~2,500 "
                        "words/s), 'fast' (CNN, F1 0.69, ~8,000 words/s), or a spaCy pipeline name or path")
    p.add_argument("--topics", metavar="MODEL",
                   help="saved TopicClassifier to assign topics (default: taxonomy tagger)")
    p.add_argument("--no-nlp", action="store_true",
                   help="structure only: no entities, no model loaded (topics only with --topics)")
    p.add_argument("--resume", action="store_true",
                   help="keep records already in OUT and skip those articles")
    p.add_argument("--errors", metavar="FILE",
                   help="where to write failed inputs as JSON lines (default: OUT.errors.jsonl)")
    p.add_argument("--batch-size", type=_positive_int, default=16, metavar="N",
                   help="articles per nlp.pipe batch (default: 16)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_tag)

    # topics ------------------------------------------------------------
    p = _add_parser(sub, "topics", "train or apply a topic classifier", TOPICS_EPILOG)
    tsub = p.add_subparsers(dest="topics_command", metavar="ACTION")
    t = _add_parser(tsub, "train", "train a TopicClassifier from a labelled CSV", TRAIN_EPILOG)
    t.add_argument("labeled", metavar="LABELED.csv")
    t.add_argument("-o", "--output", required=True, metavar="MODEL", help="where to save the model")
    t.add_argument("--text-column", default="text")
    t.add_argument("--label-column", default=None)
    t.add_argument("--sep", default=None,
                   help="CSV separator (default: the one of , ; and tab that the header line holds most often)")
    t.add_argument("--quotechar", default='"')
    t.add_argument("--encoder", choices=("use-multilingual",),
                   help="add a pretrained sentence encoder's embeddings of each text's first 64 and "
                        "256 tokens as features (10kGNAD accuracy 0.853 vs 0.817; ~3 ms more per article "
                        'to train and to predict on 2 cores; needs pip install "ngo_text[embeddings]")')
    t.add_argument("--entities", action="store_true",
                   help="add the texts' named entities (canonical forms: BKA = Bundeskriminalamt) as "
                        "features; runs the NER pipeline over the texts, ~0.1 s per 1,000 characters")
    t.set_defaults(func=cmd_topics_train)
    t = _add_parser(tsub, "predict", "assign topics with a saved TopicClassifier", PREDICT_EPILOG)
    t.add_argument("model", metavar="MODEL")
    t.add_argument("paths", nargs="+", metavar="PATH")
    t.add_argument("--top", type=_positive_int, default=None, metavar="N",
                   help="keep at most N topics per article")
    t.set_defaults(func=cmd_topics_predict)
    p.set_defaults(func=lambda args, _p=p: _missing_action(_p))

    # related -----------------------------------------------------------
    p = _add_parser(sub, "related", "find related articles in a corpus", RELATED_EPILOG)
    p.add_argument("corpus", metavar="CORPUS")
    p.add_argument("--id", dest="article_id", metavar="ID", help="one article (default: all)")
    p.add_argument("-k", type=_positive_int, default=4, help="related articles per article (default 4)")
    p.add_argument("--format", choices=("json", "html", "csv"), default="json")
    p.add_argument("--analyze", action="store_true",
                   help="run the NLP pipeline on a folder corpus first (entities help ranking)")
    p.add_argument("--model", metavar="NAME",
                   help="pipeline for --analyze: 'accurate' (default), 'fast', or a spaCy pipeline name or path")
    p.add_argument("--encoder", choices=("use-multilingual",),
                   help="mix in a pretrained sentence encoder (better ranking, ~15 ms per article; "
                        'needs pip install "ngo_text[embeddings]")')
    p.set_defaults(func=cmd_related)

    # evaluate ----------------------------------------------------------
    p = _add_parser(sub, "evaluate", "evaluate a pipeline", EVALUATE_EPILOG)
    esub = p.add_subparsers(dest="evaluate_command", metavar="WHAT")
    e = _add_parser(esub, "ner", "exact-span NER precision/recall/F1 on GermEval or CoNLL data",
                    EVALUATE_EPILOG)
    e.add_argument("data", metavar="DATA")
    e.add_argument("--format", choices=("germeval", "conll"), default=None,
                   help="file layout (default: germeval for .tsv/.bio, else conll)")
    e.add_argument("--label-map", metavar="MAP",
                   help="gold type -> label: 'OTH=MISC,person=PER,time=' (empty drops it) or a JSON file")
    e.add_argument("--model", metavar="NAME",
                   help="'accurate' (default), 'fast', or a spaCy pipeline name or path")
    e.add_argument("--limit", type=_positive_int, default=None, metavar="N",
                   help="evaluate only the first N sentences")
    e.add_argument("--json", action="store_true", help="print the full result as JSON")
    e.set_defaults(func=cmd_evaluate_ner)
    p.set_defaults(func=lambda args, _p=p: _missing_action(_p))
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _missing_action(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    raise _UsageError("choose an action; see --help")


def _err(msg: str) -> None:
    print(f"{PROG}: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# tag
# ---------------------------------------------------------------------------
class _Terminated(KeyboardInterrupt):
    """SIGTERM turned into an exception so that outputs get closed cleanly."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise _Terminated()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _message(name: str, exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if not isinstance(exc, NgoTextError):
        text = f"{type(exc).__name__}: {text}"
    return text if text.startswith(name) else f"{name}: {text}"


class _Tagger:
    """Turns parsed Articles into analysed Articles, isolating failures per article."""

    def __init__(self, *, no_nlp: bool, model: str | None, topics_model: str | None,
                 batch_size: int) -> None:
        self.batch_size = batch_size
        self.nlp = None
        self.classifier = None
        self.no_nlp = no_nlp
        if topics_model:
            from .topics import TopicClassifier

            self.classifier = TopicClassifier.load(topics_model)
        if not no_nlp:
            from .nlp.pipeline import load

            self.nlp = load(model)

    def _classify(self, articles: list[Any]) -> None:
        if self.classifier is None or not articles:
            return
        for art, topics in zip(articles, self.classifier.predict_topics(articles)):
            art.topics = list(topics)

    def run(self, articles: list[Any]) -> list[tuple[Any, BaseException | None]]:
        """Analyse a batch; returns ``(article, error)`` pairs in input order."""
        if self.no_nlp:
            out: list[tuple[Any, BaseException | None]] = []
            for art in articles:
                try:
                    self._classify([art])
                    out.append((art, None))
                except Exception as exc:
                    out.append((art, exc))
            return out
        from .analysis import analyze_each

        topics: Any = self.classifier if self.classifier is not None else "default"
        return list(analyze_each(articles, nlp=self.nlp, topics=topics, batch_size=self.batch_size))


def _count_inputs(paths: Sequence[str]) -> int | None:
    """Number of input files for the progress bar; ``None`` if unknown (stdin, JSONL)."""
    from .io import expand_path

    n = 0
    for raw in paths:
        if raw == "-":
            return None
        for file in expand_path(Path(raw)):
            if file.suffix.lower() == ".jsonl":
                return None
            n += 1
    return n


#: Sidecar of a csv/parquet output that holds the records written so far (see cmd_tag).
PARTIAL_SUFFIX = ".partial.jsonl"


def cmd_tag(args: argparse.Namespace) -> int:
    from .io import (ResumableJsonlWriter, check_not_input, guess_format, iter_sources, read_articles,
                     write_records)

    out_path = Path(args.output) if args.output else None
    fmt = args.format or (guess_format(out_path) if out_path else "jsonl")
    if out_path is None and fmt == "parquet":
        raise _UsageError("--format parquet needs an output file (-o OUT)")
    if args.resume and out_path is None:
        raise _UsageError("--resume needs an output file (-o OUT)")
    inputs = [p for p in args.paths if p != "-"]
    if args.paths.count("-") > 1:
        raise _UsageError("'-' (stdin) can be given only once")
    err_path = Path(args.errors) if args.errors else (
        out_path.with_name(out_path.name + ".errors.jsonl") if out_path else None)
    if out_path is not None and out_path.is_dir():
        raise NgoTextError(f"{out_path} is a folder; -o needs a file name")

    tagger = _Tagger(no_nlp=args.no_nlp, model=args.model, topics_model=args.topics,
                     batch_size=args.batch_size)

    # output ------------------------------------------------------------
    writer: ResumableJsonlWriter | None = None
    collected: list[dict[str, Any]] = []  # csv/parquet: written atomically at the end
    done_ids: set[str] = set()
    # csv/parquet are written whole at the end; until then every record also goes to an
    # append-only sidecar (fsync per record), so that a killed run resumes where it died
    partial: ResumableJsonlWriter | None = None
    partial_path = out_path.with_name(out_path.name + PARTIAL_SUFFIX) if out_path else None
    if fmt == "jsonl" and out_path is not None:
        writer = ResumableJsonlWriter(out_path, resume=args.resume, inputs=inputs)
        done_ids = set(writer.done_ids)
    elif out_path is not None and partial_path is not None:
        check_not_input(out_path, inputs)
        by_id: dict[str, dict[str, Any]] = {}
        if args.resume and out_path.exists():
            for a in read_articles(out_path, format=fmt):
                by_id[str(a.id)] = a.to_dict()
        partial = ResumableJsonlWriter(partial_path, resume=args.resume, inputs=inputs)
        if args.resume and partial_path.exists():
            for a in read_articles(partial_path, format="jsonl"):
                by_id[str(a.id)] = a.to_dict()
        collected = list(by_id.values())
        done_ids = set(by_id)

    n_tagged = n_skipped = n_failed = 0
    errors: list[dict[str, str]] = []
    written_now: dict[str, str] = {}

    from tqdm import tqdm  # type: ignore[import-untyped]

    show_bar = not args.quiet and sys.stderr.isatty()
    bar = tqdm(desc="tagging", unit=" articles", file=sys.stderr, dynamic_ncols=True,
               disable=not show_bar, total=_count_inputs(args.paths) if show_bar else None)

    def fail(name: str, exc: BaseException) -> None:
        nonlocal n_failed
        n_failed += 1
        msg = _message(name, exc)
        errors.append({"source": name, "error": msg, "type": type(exc).__name__})
        bar.write(f"{PROG}: error: {msg}", file=sys.stderr)

    def emit(art: Any, name: str) -> None:
        nonlocal n_tagged
        record = art.to_dict()
        if writer is not None:
            writer.write(record)
        elif out_path is not None:
            collected.append(record)
            if partial is not None:
                partial.write(record)
        elif fmt == "jsonl":
            sys.stdout.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            sys.stdout.flush()
        else:
            collected.append(record)
        if art.id is not None:
            written_now[str(art.id)] = name
        n_tagged += 1

    def finish_output() -> None:
        if writer is not None:
            writer.close()
        elif out_path is not None:
            write_records(collected, out_path, format=fmt, inputs=inputs)
            if partial is not None and partial_path is not None:
                partial.close()
                partial_path.unlink(missing_ok=True)  # all of it is in the output now
        elif collected:  # csv to stdout
            from .io import articles_to_frame

            articles_to_frame(collected).to_csv(sys.stdout, index=False)
        if err_path is not None:
            if errors:
                write_records(errors, err_path, format="jsonl", inputs=inputs)
            elif err_path.exists() and not args.errors:
                err_path.unlink()  # stale file of an earlier run

    old_handler = None
    try:
        old_handler = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not in the main thread
        pass
    interrupted = False
    try:
        exclude = [p for p in (out_path, err_path, partial_path) if p is not None]
        for batch in _chunks(iter_sources(args.paths, exclude=exclude), args.batch_size):
            ready: list[tuple[Any, str]] = []
            for src in batch:
                if src.id and src.id in done_ids:
                    n_skipped += 1
                    continue
                try:
                    art = src.to_article()
                except KeyboardInterrupt:
                    raise
                except Exception as exc:
                    fail(src.name, exc)
                    continue
                aid = str(art.id) if art.id is not None else None
                if aid is not None and aid in done_ids:
                    n_skipped += 1
                elif aid is not None and aid in written_now:
                    fail(src.name, NgoTextError(
                        f"{src.name}: duplicate article id {aid!r} (already tagged from "
                        f"{written_now[aid]}); give the inputs distinct ids"))
                else:
                    ready.append((art, src.name))
            results = tagger.run([a for a, _ in ready])
            for (art, err), (_, name) in zip(results, ready):
                if err is not None:
                    fail(name, err)
                else:
                    emit(art, name)
            bar.update(len(batch))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
        if old_handler is not None:
            signal.signal(signal.SIGTERM, old_handler)
        finish_output()

    summary = f"tagged {n_tagged}, skipped {n_skipped} (already in output), failed {n_failed}"
    if err_path is not None and errors:
        summary += f" (see {err_path})"
    if interrupted:
        _err(f"interrupted: {summary}; output is valid, rerun with --resume to continue")
        return 130
    print(summary, file=sys.stderr, flush=True)
    return 1 if n_failed else 0


# ---------------------------------------------------------------------------
# topics
# ---------------------------------------------------------------------------
def cmd_topics_train(args: argparse.Namespace) -> int:
    from .topics import TopicClassifier, read_labeled_csv

    texts, labels = read_labeled_csv(args.labeled, text_column=args.text_column, label_column=args.label_column,
                                     delimiter=args.sep, quotechar=args.quotechar, title_column="title",
                                     skip_incomplete=True)
    clf = TopicClassifier(encoder=args.encoder, entities=args.entities)
    clf.fit(texts, labels)
    clf.save(args.output)
    flat = [lab for item in labels for lab in (item if isinstance(item, list) else [item])]
    print(f"trained on {len(texts)} texts, {len(set(flat))} labels -> {args.output}", file=sys.stderr)
    return 0


def _topic_dict(t: Any) -> dict[str, Any]:
    from dataclasses import asdict, is_dataclass

    return asdict(t) if is_dataclass(t) and not isinstance(t, type) else dict(t)


def cmd_topics_predict(args: argparse.Namespace) -> int:
    from .io import iter_sources
    from .topics import TopicClassifier

    clf = TopicClassifier.load(args.model)
    n_failed = 0
    for src in iter_sources(args.paths):
        try:
            art = src.to_article()
            topics = list(clf.predict_topics([art.text])[0])
        except Exception as exc:
            n_failed += 1
            _err(f"error: {_message(src.name, exc)}")
            continue
        if args.top:
            topics = topics[: args.top]
        print(json.dumps({"id": art.id, "source": src.name,
                          "topics": [_topic_dict(t) for t in topics]}, ensure_ascii=False))
    return 1 if n_failed else 0


# ---------------------------------------------------------------------------
# related
# ---------------------------------------------------------------------------
def _load_corpus(path: str, *, analyze: bool, model: str | None) -> list[Any]:
    from .corpus import Corpus

    p = Path(path)
    if not p.exists():
        raise NgoTextError(f"{p}: no such file or folder")
    if p.is_dir():
        corpus = Corpus.from_folder(p)
        if analyze:
            from .nlp.pipeline import load

            corpus = corpus.analyze(nlp=load(model), progress=sys.stderr.isatty())
    else:
        from .io import read_articles

        corpus = Corpus.from_articles(read_articles(p))
    if not corpus.articles:
        raise NgoTextError(f"{p}: no articles found")
    return corpus.articles


def cmd_related(args: argparse.Namespace) -> int:
    from .related import RelatedIndex

    articles = _load_corpus(args.corpus, analyze=args.analyze, model=args.model)
    index = RelatedIndex(encoder=args.encoder)
    index.fit(articles)
    by_id = {str(a.id): a for a in articles}
    if args.article_id is not None:
        if args.article_id not in by_id:
            raise NgoTextError(f"no article with id {args.article_id!r} in {args.corpus}")
        targets = [by_id[args.article_id]]
    else:
        targets = articles
    if args.format == "csv":
        import csv as _csv

        w = _csv.writer(sys.stdout)
        w.writerow(["id", "rank", "related_id", "score", "title", "reasons"])
        for art in targets:
            for rank, rel in enumerate(index.related(art, k=args.k), 1):
                w.writerow([art.id, rank, rel.id, f"{rel.score:.4f}", rel.title or "",
                            "; ".join(rel.reasons)])
        return 0
    from .related import teaser_block

    if args.format == "html":
        for art in targets:
            sys.stdout.write(str(teaser_block(art, args.k, index=index, format="html")) + "\n")
        return 0
    for art in targets:
        block = teaser_block(art, args.k, index=index, format="dict")
        if args.article_id is not None:
            print(json.dumps(block, ensure_ascii=False, indent=2, default=str))
        else:
            print(json.dumps({"id": art.id, "related": block}, ensure_ascii=False, default=str))
    return 0


# ---------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------
def _parse_label_map(text: str | None) -> dict[str, str | None] | None:
    if not text:
        return None
    p = Path(text)
    if p.is_file():
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise NgoTextError(f"{p}: label map must be a JSON object ({exc})") from exc
        if not isinstance(data, dict):
            raise NgoTextError(f"{p}: label map must be a JSON object")
        return {str(k): str(v) for k, v in data.items()}
    mapping = {}
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise _UsageError(f"--label-map: {part!r} is not GOLD=MODEL")
        k, v = part.split("=", 1)
        mapping[k.strip()] = v.strip() or None  # 'X=' drops X to O
    return mapping


def cmd_evaluate_ner(args: argparse.Namespace) -> int:
    from .nlp.evaluate import evaluate_ner, format_report
    from .nlp.pipeline import load

    path = Path(args.data)
    if not path.is_file():
        raise NgoTextError(f"{path}: no such file")
    fmt = args.format or ("germeval" if path.suffix in (".tsv", ".bio") else "conll")
    label_map = _parse_label_map(args.label_map)
    nlp = load(args.model)
    result = evaluate_ner(nlp, path, fmt=fmt, label_map=label_map, limit=args.limit)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        print(format_report(result, title=f"NER {fmt}: {path}"))
    return 0


# ---------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ngo-text`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except _UsageError as exc:
        _err(f"usage error: {exc}")
        return 2
    except NgoTextError as exc:
        _err(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return 1
    except Exception as exc:
        if os.environ.get("NGO_TEXT_DEBUG"):
            raise
        _err(f"internal error: {type(exc).__name__}: {exc} (set NGO_TEXT_DEBUG=1 for a traceback)")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
