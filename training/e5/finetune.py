"""Step 2 (``recipe.py --finetune``): train the first e5 layers together with the BiLSTM-CRF head.

The alternative to ``train_head.py`` on frozen features: the encoder layers that run
(first ``--layers``) are trained with the head (AdamW, lr ``--lr-encoder`` for the
encoder, ``--lr-head`` for the head, 200 warm-up steps and linear decay to 0, bf16
autocast on CPU); the word embedding, positions and the embedding LayerNorm stay
frozen (only the rows of the pieces in the training and dev text are gathered), so
what ships is the head plus the layers (``build.py`` stores them as int8 per row).
``--train`` names the sources with repeats, as ``train_head.py`` does (the splits of
``features.py``: ``germeval_train``, ``realpages_train``, ``bundestag_train`` ...). Selection on GermEval
dev and the real-page dev part (``bench/real_pages.py``); the test splits are never
read here. Checkpoint after every epoch (``--resume``); every epoch is exported to
``<run>/epoch<N>/`` (``head.npz``, ``head.json``, ``layers.npz``), the dev F1 per epoch
to ``<run>/log.json``.

    python training/e5/finetune.py --run training/e5/runs/ft_rpbt \
        --train germeval_train,realpages_train*2,bundestag_train*2 --epochs 3 --lr-encoder 5e-5
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

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ngo_text.nlp.e5.encoder import PieceTokenizer  # noqa: E402
from ngo_text.nlp.e5.weights import read_weights  # noqa: E402
from ngo_text.nlp.evaluate import evaluate_spans, read_germeval, tags_to_spans  # noqa: E402
from features import SPLITS, read_split  # noqa: E402  (the same sources as the frozen-feature head)
from train_head import LABELS, TAGS, Head  # noqa: E402


class Layer(nn.Module):
    def __init__(self, w, i: int) -> None:
        super().__init__()
        H, F = w.hidden, w.ffn
        self.heads = w.heads
        p = f"l{i}."

        def lin(name: str, n_in: int, n_out: int) -> nn.Linear:
            m = nn.Linear(n_in, n_out)
            m.weight.data = torch.from_numpy(w.matrix(p + name + ".w", n_in))
            m.bias.data = torch.from_numpy(np.array(w.tensor(p + name + ".b")))
            return m

        def ln(name: str) -> nn.LayerNorm:
            m = nn.LayerNorm(H, eps=w.eps)
            m.weight.data = torch.from_numpy(np.array(w.tensor(p + name + ".w")))
            m.bias.data = torch.from_numpy(np.array(w.tensor(p + name + ".b")))
            return m

        self.q, self.k, self.v, self.o = (lin(n, H, H) for n in ("q", "k", "v", "ao"))
        self.ln1, self.ln2 = ln("aln"), ln("oln")
        self.fi, self.fo = lin("fi", H, F), lin("fo", F, H)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        B, T, H = x.shape
        nh = self.heads

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(B, T, nh, H // nh).transpose(1, 2)

        ctx = nn.functional.scaled_dot_product_attention(split(self.q(x)), split(self.k(x)), split(self.v(x)),
                                                         attn_mask=bias)
        x = self.ln1(x + self.o(ctx.transpose(1, 2).reshape(B, T, H)))
        return self.ln2(x + self.fo(nn.functional.gelu(self.fi(x))))


class Encoder(nn.Module):
    def __init__(self, w, n_layers: int, piece_ids: list[int]) -> None:
        super().__init__()
        self.register_buffer("word", torch.from_numpy(w.word_rows(np.asarray(piece_ids))))
        self.register_buffer("pos", torch.from_numpy(np.array(w.tensor("emb.pos")).reshape(w.max_positions, -1)))
        self.register_buffer("typ", torch.from_numpy(np.array(w.tensor("emb.type")[: w.hidden])))
        self.ln = nn.LayerNorm(w.hidden, eps=w.eps)
        self.ln.weight.data = torch.from_numpy(np.array(w.tensor("emb.ln.w")))
        self.ln.bias.data = torch.from_numpy(np.array(w.tensor("emb.ln.b")))
        self.ln.requires_grad_(False)
        self.layers = nn.ModuleList(Layer(w, i) for i in range(n_layers))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> list[torch.Tensor]:
        x = self.ln(self.word[ids] + self.pos[: ids.shape[1]] + self.typ)
        bias = ((1.0 - mask) * -1e4)[:, None, None, :].to(x.dtype)
        states = [x]
        for layer in self.layers:
            x = layer(x, bias)
            states.append(x)
        return states


def encode_corpus(tok: PieceTokenizer, sents, w, cap: int = 510):
    out = []
    for toks, tags in sents:
        pieces = tok.encode_words(toks)
        ids, owner = [w.bos], [-1]
        for wi, p in enumerate(pieces):
            ids += p
            owner += [wi] * len(p)
        ids, owner = ids[:cap + 1] + [w.eos], owner[:cap + 1] + [-1]
        out.append((ids, owner, [TAGS.index(t) if t in TAGS else 0 for t in tags]))
    return out


def make_batch(data, idx, remap, states):
    T = max(len(data[i][0]) for i in idx)
    W = max(len(data[i][2]) for i in idx)
    ids = torch.zeros(len(idx), T, dtype=torch.long)
    mask = torch.zeros(len(idx), T)
    pool = torch.zeros(len(idx), W, T)  # word x piece averaging
    y = torch.zeros(len(idx), W, dtype=torch.long)
    wmask = torch.zeros(len(idx), W, dtype=torch.bool)
    for r, i in enumerate(idx):
        p, owner, tags = data[i]
        ids[r, :len(p)] = torch.tensor([remap[x] for x in p])
        mask[r, :len(p)] = 1
        for t, o in enumerate(owner):
            if o >= 0:
                pool[r, o, t] = 1.0
        y[r, :len(tags)] = torch.tensor(tags)
        wmask[r, :len(tags)] = True
    pool = pool / pool.sum(-1, keepdim=True).clamp(min=1)
    return ids, mask, pool, y, wmask


def features(enc: Encoder, ids, mask, pool, states) -> torch.Tensor:
    hs = enc(ids, mask)
    stacked = torch.stack([hs[s] for s in states], 2)  # (B, T, S, H)
    return torch.einsum("bwt,btsh->bwsh", pool, stacked.float())


def evaluate(enc, head, data, remap, states) -> dict:
    enc.eval()
    head.eval()
    gold, pred = [], []
    order = sorted(range(len(data)), key=lambda i: len(data[i][0]))
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for k in range(0, len(order), 64):
            idx = order[k:k + 64]
            ids, mask, pool, y, wmask = make_batch(data, idx, remap, states)
            f = features(enc, ids, mask, pool, states)
            lens = wmask.sum(1)
            paths = head.crf.decode(head.emissions(f, lens).float(), mask=wmask)
            for i, path in zip(idx, paths):
                gold.append(tags_to_spans([TAGS[t] for t in data[i][2]]))
                pred.append(tags_to_spans([TAGS[t] for t in path]))
    enc.train()
    head.train()
    return evaluate_spans(gold, pred, labels=LABELS)


def export_run(enc: "Encoder", head, meta: dict, folder: Path) -> None:
    """The head as numpy (``train_head.export``) and the trained encoder layers (float32 npz)."""
    from train_head import export
    export(head, meta, folder)
    arrays = {k: v.detach().float().numpy() for k, v in enc.layers.state_dict().items()}
    np.savez(folder / "layers.npz", **arrays)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--run", type=Path, required=True)
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--states", default="3,4,5,6,7,8")
    ap.add_argument("--train", default="germeval_train",
                    help="comma-separated sources with optional repeat, e.g. "
                         "germeval_train,realpages_train*2,bundestag_train*2")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=None, help="first N training sentences (shuffled, seed)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr-encoder", type=float, default=3e-5)
    ap.add_argument("--lr-head", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--resume", action="store_true")
    args = ap.parse_args(argv)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    args.run.mkdir(parents=True, exist_ok=True)
    states = [int(s) for s in args.states.split(",")]
    w = read_weights()
    tok = PieceTokenizer(w)
    ge = args.shared / "data" / "ner" / "germeval2014"
    train_s = []
    for spec in args.train.split(","):
        name, _, times = spec.partition("*")
        if name not in SPLITS:
            ap.error(f"unknown training source {name!r} (one of {', '.join(SPLITS)})")
        train_s += read_split(args.shared, *SPLITS[name]) * int(times or 1)
    rng.shuffle(train_s)
    if args.limit:
        train_s = train_s[: args.limit]
    train = encode_corpus(tok, train_s, w)
    dev = encode_corpus(tok, list(read_germeval(ge / "dev.tsv")), w)
    used = sorted({p for d in (train, dev) for x in d for p in x[0]})
    remap = {p: i for i, p in enumerate(used)}
    enc = Encoder(w, args.layers, used)
    head = Head(len(states), w.hidden, 256, len(TAGS), 0.3)
    steps_per_epoch = math.ceil(len(train) / args.batch)
    total = steps_per_epoch * args.epochs
    opt = torch.optim.AdamW([{"params": [p for p in enc.parameters() if p.requires_grad], "lr": args.lr_encoder},
                             {"params": head.parameters(), "lr": args.lr_head}], weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 200) * max(0.0, 1 - s / total))
    start, log = 0, []
    if args.resume and (args.run / "last.pt").exists():
        ck = torch.load(args.run / "last.pt", weights_only=False)
        enc.load_state_dict(ck["enc"]); head.load_state_dict(ck["head"])
        opt.load_state_dict(ck["opt"]); sched.load_state_dict(ck["sched"])
        start, log = ck["epoch"], ck["log"]
        rng.setstate(ck["rng"]); torch.set_rng_state(ck["torch_rng"])
    print(f"train {len(train)} sentences, dev {len(dev)}, {len(used)} pieces, {steps_per_epoch} steps/epoch",
          flush=True)
    for epoch in range(start, args.epochs):
        order = sorted(range(len(train)), key=lambda i: len(train[i][0]))
        chunks = [order[i:i + args.batch] for i in range(0, len(order), args.batch)]
        rng.shuffle(chunks)
        t0, tot = time.time(), 0.0
        for step, idx in enumerate(chunks):
            ids, mask, pool, y, wmask = make_batch(train, idx, remap, states)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                f = features(enc, ids, mask, pool, states)
                em = head.emissions(f, wmask.sum(1))
            loss = -head.crf(em.float(), y, mask=wmask, reduction="mean")
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_([*enc.parameters(), *head.parameters()], 5.0)
            opt.step()
            sched.step()
            tot += float(loss.detach())
            if step % 100 == 0:
                print(f"  epoch {epoch + 1} step {step}/{steps_per_epoch} loss {tot / (step + 1):.3f} "
                      f"({time.time() - t0:.0f} s)", flush=True)
        r = evaluate(enc, head, dev, remap, states)
        log.append({"epoch": epoch + 1, "dev_f": r["micro"]["f"], "seconds": time.time() - t0,
                    "dev_per_label": {k: round(v["f"], 4) for k, v in r["per_label"].items()}})
        print(f"epoch {epoch + 1}: dev F1 {r['micro']['f']:.4f} {log[-1]['dev_per_label']} "
              f"({time.time() - t0:.0f} s)", flush=True)
        torch.save({"enc": enc.state_dict(), "head": head.state_dict(), "opt": opt.state_dict(),
                    "sched": sched.state_dict(), "epoch": epoch + 1, "log": log, "rng": rng.getstate(),
                    "torch_rng": torch.get_rng_state()}, args.run / "last.pt")
        (args.run / "log.json").write_text(json.dumps(log, indent=1))
        export_run(enc, head, {"n_layers": args.layers, "states": states, "hidden": 256, "train": args.train,
                               "seed": args.seed, "epoch": epoch + 1, "dev_f": r["micro"]["f"],
                               "trained_with": "training/e5/finetune.py"}, args.run / f"epoch{epoch + 1}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
