"""Train the bundled German NER pipeline ``de_ngo`` end to end (never run in CI).

Steps (all seeded, single-threaded CPU):

0. Optional (``--pretrain-epochs N``): ``training/pretrain.py`` pretrains the tok2vec
   with ``spacy pretrain`` (characters objective) on raw CC BY training text and stage 1
   starts from those weights; or ``--init-tok2vec PATH`` uses existing pretrained weights
   (``model<N>.bin`` of ``spacy pretrain``). Both set ``[initialize] init_tok2vec``.
1. ``training/prepare.py``: convert GermEval 2014 / MobIE / LER into DocBins under
   ``training/corpus/`` (skipped when present, ``--force-prepare`` redoes it).
2. Stage 1: ``python -m spacy train CONFIG`` (``configs/ner_wide.cfg``) on the chosen
   variant's training directory, GermEval dev as dev set, ``--max-steps`` and
   ``--seed``; output in ``training/output/<run>/`` and a log in
   ``training/logs/<run>.log``.
3. Stage 2 (``--finetune-steps`` > 0): ``configs/ner_finetune.cfg`` continues the
   stage-1 ``model-best`` on GermEval train only, learning rate 0.0002 with
   parameter averaging; output ``training/output/<run>_ft/``.
4. ``training/build.py``: take the last stage's ``model-best`` (best GermEval dev
   F1), add the sentencizer and the pruned lookup lemmatizer, save to ``--out``.
5. Evaluate the saved pipeline on GermEval dev and test (outer level, exact spans) and
   write ``training/output/<run>/eval.json``.

The shipped model was made with::

    python training/train.py --shared ../shared --out ngo_text/models/de_ngo

(defaults: ``--config training/configs/ner_wide.cfg --variant ge_extra --seed 0
--max-steps 4000 --finetune-steps 2000``, as in the model card).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VARIANTS = ("ge", "ge_extra")
DEFAULT_CONFIG = ROOT / "training" / "configs" / "ner_wide.cfg"
PRETRAIN_CONFIG = ROOT / "training" / "configs" / "pretrain.cfg"
DEFAULT_MAX_STEPS = 4000
DEFAULT_FINETUNE_STEPS = 2000


def _has_pretraining_section(config: Path) -> bool:
    from spacy.util import load_config

    return bool(load_config(config).get("pretraining"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "ngo_text" / "models" / "de_ngo")
    ap.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    ap.add_argument("--variant", choices=VARIANTS, default="ge_extra",
                    help="ge = GermEval only; ge_extra = GermEval + MobIE + LER subsample")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-steps", type=int, default=DEFAULT_MAX_STEPS)
    ap.add_argument("--finetune-steps", type=int, default=DEFAULT_FINETUNE_STEPS,
                    help="stage-2 steps on GermEval with ner_finetune.cfg (0 = no stage 2)")
    ap.add_argument("--init-tok2vec", type=Path, default=None,
                    help="stage 1 starts from these pretrained tok2vec weights "
                         "(a model<N>.bin of spacy pretrain / training/pretrain.py)")
    ap.add_argument("--pretrain-epochs", type=int, default=0,
                    help="first run training/pretrain.py for N epochs and use its weights "
                         "as --init-tok2vec (0 = no pretraining)")
    ap.add_argument("--run", default=None, help="run name (default: <config>_<variant>)")
    ap.add_argument("--force-prepare", action="store_true")
    ap.add_argument("--no-build", action="store_true", help="only train")
    args = ap.parse_args(argv)

    corpus = ROOT / "training" / "corpus"
    run = args.run or f"{args.config.stem.removeprefix('ner_')}_{args.variant}"
    output = ROOT / "training" / "output" / run
    logs = ROOT / "training" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": str(args.seed)}
    t0 = time.time()

    if args.pretrain_epochs > 0 or args.init_tok2vec is not None:
        # spaCy loads [initialize] init_tok2vec only when the config has a full [pretraining]
        # section (it names the component to load into); ner_wide.cfg has an empty one and
        # would silently train from scratch, so stage 1 uses pretrain.cfg (= ner_wide.cfg +
        # that section)
        if args.config.resolve() == DEFAULT_CONFIG.resolve():
            args.config = PRETRAIN_CONFIG
        elif not _has_pretraining_section(args.config):
            ap.error(f"{args.config} has no [pretraining] section: spaCy would ignore the "
                     "pretrained weights")
    if args.pretrain_epochs > 0:
        if args.init_tok2vec is not None:
            ap.error("--pretrain-epochs and --init-tok2vec are exclusive")
        pre_out = ROOT / "training" / "output" / "pretrain"
        subprocess.run([sys.executable, str(ROOT / "training" / "pretrain.py"),
                        "--shared", str(args.shared), "--out", str(pre_out),
                        "--epochs", str(args.pretrain_epochs), "--seed", str(args.seed)],
                       check=True, env=env)
        args.init_tok2vec = pre_out / "model-last.bin"

    if args.force_prepare or not (corpus / "stats.json").is_file():
        subprocess.run([sys.executable, str(ROOT / "training" / "prepare.py"),
                        "--shared", str(args.shared), "--out", str(corpus),
                        "--seed", str(args.seed)], check=True, env=env)

    cmd = [sys.executable, "-m", "spacy", "train", str(args.config), "--output", str(output),
           "--paths.train", str(corpus / args.variant),
           "--paths.dev", str(corpus / "germeval_dev.spacy"),
           "--system.seed", str(args.seed), "--training.max_steps", str(args.max_steps)]
    if args.init_tok2vec is not None:
        cmd += ["--paths.init_tok2vec", str(args.init_tok2vec.resolve())]
    print("+", " ".join(cmd), flush=True)
    with open(logs / f"{run}.log", "w", encoding="utf-8") as log:
        subprocess.run(cmd, check=True, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    best = output / "model-best"
    if args.finetune_steps > 0:
        ft_output = output.with_name(output.name + "_ft")
        cmd = [sys.executable, "-m", "spacy", "train",
               str(ROOT / "training" / "configs" / "ner_finetune.cfg"), "--output", str(ft_output),
               "--paths.train", str(corpus / "ge"),
               "--paths.dev", str(corpus / "germeval_dev.spacy"), "--paths.base", str(best),
               "--system.seed", str(args.seed), "--training.max_steps", str(args.finetune_steps)]
        print("+", " ".join(cmd), flush=True)
        with open(logs / f"{run}_ft.log", "w", encoding="utf-8") as log:
            subprocess.run(cmd, check=True, env=env, stdout=log, stderr=subprocess.STDOUT,
                           cwd=ROOT)
        best = ft_output / "model-best"
    t_train = time.time() - t0
    if args.no_build:
        return 0

    from training.build import build  # noqa: E402
    from ngo_text.nlp.evaluate import evaluate_ner, format_report  # noqa: E402
    import spacy

    meta_extra = {"training": {"config": str(args.config.relative_to(ROOT))
                               if args.config.is_relative_to(ROOT) else str(args.config),
                               "variant": args.variant, "seed": args.seed,
                               "max_steps": args.max_steps,
                               "finetune_steps": args.finetune_steps,
                               "init_tok2vec": None if args.init_tok2vec is None
                               else args.init_tok2vec.name}}
    info = build(best, args.out, args.shared, meta_extra=meta_extra)
    nlp = spacy.load(args.out)
    ge = args.shared / "data" / "ner" / "germeval2014"
    results = {"run": run, "train_seconds": t_train, **info}
    for split in ("dev", "test"):
        r = evaluate_ner(nlp, ge / f"{split}.tsv")
        results[split] = r
        print(format_report(r, title=f"== GermEval 2014 {split} (outer) -- {run}"), flush=True)
    (output / "eval.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"done in {(time.time() - t0) / 60:.1f} min", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
