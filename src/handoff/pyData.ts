/**
 * studio_data.py of the cluster hand-off: the studio's batching, in plain Python (no torch), so train.py cuts exactly
 * the micro-batches runTraining cuts — the seeded xorshift Fisher–Yates shuffle of src/train/data.ts `shuffled`
 * (seed = run seed + epoch), batch_size examples per micro-batch, right padding (pad id, label -100, mask 0), and
 * grad_accum micro-batches per optimizer step until the plan's total steps. Tested against epochCollated.
 */
export const STUDIO_DATA_PY = String.raw`"""The WebGPU Fine-Tuning Studio's batching, reproduced exactly (plain Python, no torch).

train.py and train_trl.py import this so a run on a cluster sees the very micro-batches the studio trained on:
the same shuffle (seeded xorshift Fisher-Yates, seed = run seed + epoch), the same batches, the same padding.
"""
import json

IGNORE_INDEX = -100
MASK32 = 0xFFFFFFFF


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def shuffled(items, seed):
    """src/train/data.ts shuffled(): xorshift32 drives a Fisher-Yates shuffle from the end."""
    a = list(items)
    s = (seed & MASK32) or 1
    for i in range(len(a) - 1, 0, -1):
        s = (s ^ (s << 13)) & MASK32
        s = s ^ (s >> 17)
        s = (s ^ (s << 5)) & MASK32
        j = s % (i + 1)
        a[i], a[j] = a[j], a[i]
    return a


def epoch_micro_batches(rows, batch_size, seed, epoch):
    """The micro-batches (lists of rows) of one epoch, in training order."""
    order = shuffled(rows, seed + epoch)
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def collate(rows, max_length, pad_id, pad_to_max_length=True):
    """Right padding: input_ids = pad_id, attention_mask = 0, labels = -100."""
    width = max_length if pad_to_max_length else max(len(r["input_ids"]) for r in rows)
    out = {"input_ids": [], "attention_mask": [], "labels": []}
    for r in rows:
        n = len(r["input_ids"])
        if n > width:
            raise ValueError(f"a row has {n} tokens, more than max_length {width}")
        pad = width - n
        out["input_ids"].append(list(r["input_ids"]) + [pad_id] * pad)
        out["attention_mask"].append(list(r["attention_mask"]) + [0] * pad)
        out["labels"].append(list(r["labels"]) + [IGNORE_INDEX] * pad)
    return out


def targets(row):
    """Trained targets of a row after the causal shift (position t predicts labels[t + 1])."""
    return sum(1 for x in row["labels"][1:] if x != IGNORE_INDEX)


def optimizer_steps(rows, recipe):
    """Yields (step, epoch, [micro-batch rows, ...]) exactly as the studio's runTraining steps through the data."""
    t = recipe["training"]
    step = 0
    for epoch in range(t["epochs"]):
        micro = epoch_micro_batches(rows, t["batch_size"], t["seed"], epoch)
        for at in range(0, len(micro), t["grad_accum"]):
            if step >= t["total_steps"]:
                return
            yield step, epoch, micro[at:at + t["grad_accum"]]
            step += 1


def learning_rate(recipe, step):
    """Hugging Face get_scheduler semantics at optimizer step index step (src/engine/train/schedule.ts)."""
    import math
    t = recipe["training"]
    lr, warm, total = t["lr"], t["warmup_steps"], t["total_steps"]
    if step < warm:
        return lr * step / max(1, warm)
    if t["schedule"] == "constant":
        return lr
    progress = (step - warm) / max(1, total - warm)
    if t["schedule"] == "linear":
        return lr * max(0.0, 1 - progress)
    return lr * max(0.0, 0.5 * (1 + math.cos(math.pi * progress)))
`;
