"""Step 2 of the accurate NER recipe: train the BiLSTM-CRF head on cached e5 features.

PyTorch (CPU build from /opt/wheels) and pytorch-crf, developer step only. The
head = softmax-weighted mix of the cached layer states (learned) -> dropout ->
one BiLSTM layer -> linear -> CRF. Model selection on GermEval dev only (best
epoch); the test split is never read here. Checkpoint after every epoch
(``<run>/last.pt``; ``--resume`` continues), the best epoch exported as a
numpy head (``<run>/best/head.npz`` + ``head.json``) that ngo_text runs
without torch; the export is checked against the torch emissions.

    python training/e5/train_head.py --features training/e5/features --run training/e5/runs/base
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torchcrf import CRF

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ngo_text.nlp.e5.head import NerHead  # noqa: E402
from ngo_text.nlp.evaluate import evaluate_spans, tags_to_spans  # noqa: E402

LABELS = ("PER", "ORG", "LOC", "MISC")
TAGS = ["O"] + [f"{p}-{lab}" for lab in LABELS for p in ("B", "I")]


def load_split(path: Path, states: list[int] | None = None):
    z = np.load(path)
    feats, offsets, tags = z["feats"], z["offsets"], z["tags"]
    if states is not None:
        feats = feats[:, states]
    sents = []
    for i in range(len(offsets) - 1):
        t = [TAGS.index(x) if x in TAGS else 0 for x in str(tags[i]).split()]
        sents.append((offsets[i], offsets[i + 1], t))
    return feats, sents


class Head(nn.Module):
    def __init__(self, n_states: int, dim: int, hidden: int, n_tags: int, dropout: float) -> None:
        super().__init__()
        self.mix_logits = nn.Parameter(torch.zeros(n_states))
        self.gamma = nn.Parameter(torch.ones(1))
        self.drop = nn.Dropout(dropout)
        self.fwd = nn.LSTM(dim, hidden, batch_first=True)
        self.bwd = nn.LSTM(dim, hidden, batch_first=True)
        self.out = nn.Linear(2 * hidden, n_tags)
        self.crf = CRF(n_tags, batch_first=True)

    def mix_weights(self) -> torch.Tensor:
        return torch.softmax(self.mix_logits, 0) * self.gamma

    @staticmethod
    def reverse(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        B, T = x.shape[:2]
        idx = torch.arange(T).unsqueeze(0).expand(B, T)
        rev = lengths.unsqueeze(1) - 1 - idx
        idx = torch.where(rev >= 0, rev, idx)
        return x[torch.arange(B).unsqueeze(1), idx]

    def emissions(self, feats: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        x = torch.einsum("btsh,s->bth", feats, self.mix_weights())
        x = self.drop(x)
        f, _ = self.fwd(x)
        b, _ = self.bwd(self.reverse(x, lengths))
        h = self.drop(torch.cat([f, self.reverse(b, lengths)], -1))
        return self.out(h)


def batches(sents, batch_size: int, shuffle: bool, rng: random.Random):
    order = sorted(range(len(sents)), key=lambda i: sents[i][1] - sents[i][0])
    chunks = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    if shuffle:
        rng.shuffle(chunks)
    return chunks


def make_batch(feats, sents, ids):
    lens = [sents[i][1] - sents[i][0] for i in ids]
    T = max(lens)
    S, H = feats.shape[1:]
    x = np.zeros((len(ids), T, S, H), dtype=np.float32)
    y = np.zeros((len(ids), T), dtype=np.int64)
    m = np.zeros((len(ids), T), dtype=bool)
    for r, i in enumerate(ids):
        a, b, t = sents[i]
        x[r, :b - a] = feats[a:b]
        y[r, :b - a] = t
        m[r, :b - a] = True
    return torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(m), torch.tensor(lens)


def evaluate(model: Head, feats, sents) -> dict:
    model.eval()
    gold, pred = [], []
    with torch.no_grad():
        for ids in batches(sents, 128, False, random.Random(0)):
            x, y, m, lens = make_batch(feats, sents, ids)
            paths = model.crf.decode(model.emissions(x, lens), mask=m)
            for i, p in zip(ids, paths):
                gold.append(tags_to_spans([TAGS[t] for t in sents[i][2]]))
                pred.append(tags_to_spans([TAGS[t] for t in p]))
    model.train()
    return evaluate_spans(gold, pred, labels=LABELS)


def export(model: Head, meta: dict, folder: Path) -> NerHead:
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    arrays = {
        "mix": model.mix_weights().detach().numpy().astype(np.float32),
        "f_wih": sd["fwd.weight_ih_l0"], "f_whh": sd["fwd.weight_hh_l0"],
        "f_b": sd["fwd.bias_ih_l0"] + sd["fwd.bias_hh_l0"],
        "b_wih": sd["bwd.weight_ih_l0"], "b_whh": sd["bwd.weight_hh_l0"],
        "b_b": sd["bwd.bias_ih_l0"] + sd["bwd.bias_hh_l0"],
        "out_w": sd["out.weight"], "out_b": sd["out.bias"],
        "crf_start": sd["crf.start_transitions"], "crf_end": sd["crf.end_transitions"],
        "crf_trans": sd["crf.transitions"],
    }
    head = NerHead(arrays, {**meta, "tags": TAGS})
    head.save(folder)
    return NerHead.load(folder)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--features", type=Path, default=ROOT / "training" / "e5" / "features")
    ap.add_argument("--run", type=Path, required=True)
    ap.add_argument("--train", default="germeval_train",
                    help="comma-separated feature splits to train on; NAME*K repeats a split K times per epoch "
                         "(e.g. germeval_train,realpages_train*3)")
    ap.add_argument("--select", choices=("dev", "last"), default="dev",
                    help="export the best GermEval dev epoch (default) or the last epoch (for training data "
                         "whose conventions GermEval dev does not share; compare on bench/real_pages.py dev)")
    ap.add_argument("--states", default="3,4,5,6,7,8",
                    help="hidden states (layer numbers, 0 = embeddings) the head mixes; they must be cached "
                         "(default 3-8: the shipped head; state 9 added nothing on dev, 0.851 vs 0.854)")
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--dropout", type=float, default=0.3)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--average-from", type=int, default=0,
                    help="average the weights from this epoch on (4 snapshots per epoch, SWA-style) and export "
                         "the average after the last epoch (0: off; implies exporting the end of training). Measured "
                         "2026-12-01 on the shipped mix, from epoch 4 of 6: GermEval test 0.831 as without, real "
                         "pages dev 0.823 vs 0.824: not used by the recipe")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--init", type=Path, default=None,
                    help="start from the head of a finetune.py checkpoint (last.pt), e.g. to adapt it to the "
                         "int8 features of its own fine-tuned encoder (features.py --encoder)")
    args = ap.parse_args(argv)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    args.run.mkdir(parents=True, exist_ok=True)
    fmeta = json.loads((args.features / "meta.json").read_text())
    used_states = [int(s) for s in args.states.split(",")]
    missing = [s for s in used_states if s not in fmeta["states"]]
    if missing:
        ap.error(f"states {missing} are not in the cached features (cached: {fmeta['states']})")
    states = [fmeta["states"].index(s) for s in used_states]
    parts = []
    for spec in args.train.split(","):
        name, _, times = spec.partition("*")
        parts.append((*load_split(args.features / f"{name}.npz", states), int(times or 1)))
    feats = np.concatenate([p[0] for p in parts])
    sents, base = [], 0
    for f, s, times in parts:
        sents += [(a + base, b + base, t) for a, b, t in s] * times
        base += len(f)
    dfeats, dsents = load_split(args.features / "germeval_dev.npz", states)
    print(f"train {len(sents)} sentences, {len(feats)} words; dev {len(dsents)}; states {used_states}", flush=True)
    model = Head(feats.shape[1], feats.shape[2], args.hidden, len(TAGS), args.dropout)
    if args.init is not None:
        model.load_state_dict(torch.load(args.init, weights_only=False)["head"])
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = math.ceil(len(sents) / args.batch)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 200) * max(0.05, 1 - s / (steps_per_epoch * args.epochs)))
    start, best, log = 0, -1.0, []
    avg: dict[str, torch.Tensor] = {}  # running mean of the weights (--average-from)
    n_avg = 0
    snap_every = max(1, steps_per_epoch // 4)
    if args.resume and (args.run / "last.pt").exists():
        ck = torch.load(args.run / "last.pt", weights_only=False)
        model.load_state_dict(ck["model"]); opt.load_state_dict(ck["opt"]); sched.load_state_dict(ck["sched"])
        start, best, log = ck["epoch"], ck["best"], ck["log"]
        avg, n_avg = ck.get("avg", {}), ck.get("n_avg", 0)
        rng.setstate(ck["rng"])
        if "torch_rng" in ck:  # dropout masks continue as in an uninterrupted run
            torch.set_rng_state(ck["torch_rng"])
        print(f"resumed after epoch {start} (best dev {best:.4f})")
    # the encoder at run time only needs the layers up to the deepest state the head reads
    meta = {"n_layers": max(used_states), "states": used_states, "hidden": args.hidden,
            "train": args.train, "seed": args.seed, "trained_with": "training/e5/train_head.py"}
    for epoch in range(start, args.epochs):
        t0, total = time.time(), 0.0
        for step, ids in enumerate(batches(sents, args.batch, True, rng)):
            x, y, m, lens = make_batch(feats, sents, ids)
            loss = -model.crf(model.emissions(x, lens), y, mask=m, reduction="mean")
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            sched.step()
            total += float(loss.detach())
            if args.average_from and epoch + 1 >= args.average_from and (step + 1) % snap_every == 0:
                n_avg += 1
                for k, v in model.state_dict().items():
                    v = v.detach().clone()
                    avg[k] = v if k not in avg else avg[k] + (v - avg[k]) / n_avg
        r = evaluate(model, dfeats, dsents)
        f = r["micro"]["f"]
        per = {k: round(v["f"], 4) for k, v in r["per_label"].items()}
        log.append({"epoch": epoch + 1, "loss": total / steps_per_epoch, "dev_f": f, "dev_per_label": per,
                    "seconds": time.time() - t0})
        print(f"epoch {epoch + 1}: loss {total / steps_per_epoch:.3f} dev F1 {f:.4f} {per} "
              f"({time.time() - t0:.0f} s) mix {np.round(model.mix_weights().detach().numpy(), 3).tolist()}",
              flush=True)
        last = epoch + 1 == args.epochs
        if last and n_avg:
            final = {k: v.detach().clone() for k, v in model.state_dict().items()}
            model.load_state_dict(avg)
            r = evaluate(model, dfeats, dsents)
            f = r["micro"]["f"]
            per = {k: round(v["f"], 4) for k, v in r["per_label"].items()}
            log.append({"epoch": "average", "snapshots": n_avg, "dev_f": f, "dev_per_label": per})
            print(f"average of {n_avg} snapshots from epoch {args.average_from}: dev F1 {f:.4f} {per}", flush=True)
        if f > best or ((args.select == "last" or n_avg) and last):
            best = max(best, f)
            head = export(model, {**meta, "dev_f": f, "epoch": epoch + 1, "averaged_snapshots": n_avg},
                          args.run / "best")
            # the numpy head must give the torch emissions (eval mode, no dropout)
            model.eval()
            x, _, _, lens = make_batch(dfeats, dsents, list(range(8)))
            with torch.no_grad():
                em_t = model.emissions(x, lens).numpy()
            model.train()
            em_n = head.emissions([head.mix(dfeats[dsents[i][0]:dsents[i][1]].astype(np.float32))
                                   for i in range(8)])
            diff = max(float(np.abs(em_t[i, :len(e)] - e).max()) for i, e in enumerate(em_n))
            scale = max(float(np.abs(e).max()) for e in em_n)
            print(f"  exported best (exported head vs torch emissions: max abs diff {diff:.2e}, "
                  f"max |emission| {scale:.1f}; the head file stores float16)", flush=True)
            assert diff < 1e-3 * max(scale, 1.0), diff
        if last and n_avg:
            model.load_state_dict(final)  # the checkpoint keeps training state, the average is exported
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                    "epoch": epoch + 1, "best": best, "log": log, "rng": rng.getstate(),
                    "avg": avg, "n_avg": n_avg,
                    "torch_rng": torch.get_rng_state()}, args.run / "last.pt")
        (args.run / "log.json").write_text(json.dumps(log, indent=1))
    print(f"best dev F1 {best:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
