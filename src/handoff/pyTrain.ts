/**
 * train.py of the cluster hand-off: transformers + PEFT + accelerate on the pre-tokenized file, stepping through the
 * studio's exact micro-batches (studio_data.py) with the run's LoRA (initialised from init_adapter/, the studio's
 * own initial values), AdamW, schedule, clipping and seed. One GPU: `python train.py`; many: `accelerate launch` with
 * accelerate/ddp.yaml, fsdp.yaml or deepspeed_zero{2,3}.yaml — the examples of each optimizer step are split across
 * processes and the loss is normalised by the step's global target count, so the update is the one-GPU update.
 * Before the first update it prints the loss of the first micro-batch next to the studio's (recipe.json).
 */
export const TRAIN_PY = String.raw`#!/usr/bin/env python3
"""Continue a WebGPU Fine-Tuning Studio run on GPUs: same data, masks, LoRA, optimizer, schedule and batches.

  python train.py                                   # one GPU (or CPU)
  accelerate launch --config_file accelerate/ddp.yaml train.py          # many GPUs, DDP
  accelerate launch --config_file accelerate/fsdp.yaml train.py         # FSDP
  accelerate launch --config_file accelerate/deepspeed_zero2.yaml train.py  # DeepSpeed ZeRO-2 (or _zero3)

Everything comes from recipe.json beside this file; the flags below only change where and how fast it runs.
"""
import argparse
import contextlib
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
from accelerate import Accelerator
from accelerate.utils import DistributedType, set_seed
from transformers import AutoModelForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import studio_data as sd  # noqa: E402


def parse_args(recipe):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=recipe["base_model"]["load_from"], help="base model: hub id or folder (default: %(default)s)")
    p.add_argument("--output-dir", default=os.path.join(HERE, "output"))
    p.add_argument("--per-device-batch", type=int, default=recipe["training"]["batch_size"], help="rows per forward pass (memory only; the update is the same)")
    p.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16", "auto"], help="weights dtype (the studio computes in float32)")
    p.add_argument("--gradient-checkpointing", action="store_true")
    p.add_argument("--check-only", action="store_true", help="print the step-0 loss next to the studio's and exit")
    return p.parse_args()


def batch_tensors(rows, max_length, pad_id, device):
    b = sd.collate(rows, max_length, pad_id, pad_to_max_length=False)
    return {k: torch.tensor(v, dtype=torch.long, device=device) for k, v in b.items()}


def summed_loss(model, batch):
    """Sum of token cross-entropies over the trained targets (position t predicts labels[t + 1])."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    return F.cross_entropy(logits[:, :-1].flatten(0, 1).float(), batch["labels"][:, 1:].flatten(), ignore_index=sd.IGNORE_INDEX, reduction="sum")


def main():
    recipe = json.load(open(os.path.join(HERE, "recipe.json"), encoding="utf-8"))
    args = parse_args(recipe)
    t = recipe["training"]
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rows_per_rank = math.ceil(t["batch_size"] * t["grad_accum"] / world)
    chunks = max(1, math.ceil(rows_per_rank / args.per_device_batch))
    accelerator = Accelerator(gradient_accumulation_steps=chunks)
    rank, world = accelerator.process_index, accelerator.num_processes
    set_seed(t["seed"])
    log = accelerator.print

    dtype = "auto" if args.dtype == "auto" else getattr(torch, args.dtype)
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=dtype)
    if recipe["method"] == "lora":
        from peft import PeftModel
        model = PeftModel.from_pretrained(model, os.path.join(HERE, "init_adapter"), is_trainable=True)
    if args.gradient_checkpointing:
        model.gradient_checkpointing_enable()
        if recipe["method"] == "lora":
            model.enable_input_require_grads()
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    # AdamW as the studio runs it: decay on LoRA matrices / weight matrices, none on norms and biases.
    decay = [p for n, p in params if recipe["method"] == "lora" or p.ndim > 1]
    no_decay = [p for n, p in params if not (recipe["method"] == "lora" or p.ndim > 1)]
    o = recipe["optimizer"]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": o["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=t["lr"], betas=(o["beta1"], o["beta2"]), eps=o["eps"],
    )
    model, optimizer = accelerator.prepare(model, optimizer)
    device = accelerator.device
    train_rows = sd.read_jsonl(os.path.join(HERE, recipe["data"]["train_tokenized"]))
    val_rows = sd.read_jsonl(os.path.join(HERE, recipe["data"]["validation_tokenized"])) if recipe["data"].get("validation_tokenized") else []
    L, pad = t["max_length"], t["pad_id"]

    def evaluate(rows, bs):
        model.eval()
        total = torch.zeros(2, device=device, dtype=torch.float64)
        with torch.no_grad():
            for i in range(rank * bs, len(rows), bs * world):
                part = rows[i:i + bs]
                total[0] += summed_loss(model, batch_tensors(part, L, pad, device)).double()
                total[1] += sum(sd.targets(r) for r in part)
        total = accelerator.reduce(total, reduction="sum")
        model.train()
        return (total[0] / total[1]).item() if total[1] > 0 else float("nan")

    first = sd.epoch_micro_batches(train_rows, t["batch_size"], t["seed"], 0)[0]
    step0 = evaluate(first, len(first))
    studio = recipe["first_batch"]["loss"]
    log(f"step 0 loss (first micro-batch, before any update): {step0:.6f}   studio: {studio:.6f}   difference {abs(step0 - studio):.2e}")
    if args.check_only:
        return

    ds = accelerator.distributed_type == DistributedType.DEEPSPEED
    trainable = [p for p in model.parameters() if p.requires_grad]
    started = time.time()
    model.train()
    for step, epoch, group in sd.optimizer_steps(train_rows, recipe):
        rows = [r for mb in group for r in mb]
        total = sum(sd.targets(r) for r in rows)
        per = math.ceil(len(rows) / world)
        mine = rows[rank * per:(rank + 1) * per]
        parts = [mine[i * args.per_device_batch:(i + 1) * args.per_device_batch] for i in range(chunks)]
        for g in optimizer.param_groups:  # before the backward passes: DeepSpeed steps inside the last one
            g["lr"] = sd.learning_rate(recipe, step)
        loss_sum = torch.zeros((), device=device, dtype=torch.float64)
        for i, part in enumerate(parts):
            sync = i == chunks - 1
            ctx = contextlib.nullcontext() if sync or ds else accelerator.no_sync(model)
            with ctx:
                if part:
                    s = summed_loss(model, batch_tensors(part, L, pad, device))
                else:  # this process has no rows left in this step: a zero-loss pass keeps the collectives in step
                    s = summed_loss(model, batch_tensors([first[0]], L, pad, device)) * 0.0
                loss_sum += s.detach().double()
                # The step's update is the gradient of (sum over all its targets) / (its target count), as in the studio.
                # accelerator.backward divides by gradient_accumulation_steps (DeepSpeed's engine does the same), and
                # DDP averages over ranks: both are undone here so the gradient norm, and so clipping, match the studio.
                accelerator.backward(s * (world / total) * chunks)
        norm = None
        if not ds and o["max_grad_norm"] > 0:
            norm = accelerator.clip_grad_norm_(trainable, o["max_grad_norm"])
        if norm is not None and not math.isfinite(float(norm)):
            log(f"step {step + 1}: the gradient norm is {float(norm)}; stopping with the last good parameters (as the studio does)")
            optimizer.zero_grad(set_to_none=True)
            break
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        loss = (accelerator.reduce(loss_sum, reduction="sum") / total).item()
        log(f"step {step + 1}/{t['total_steps']}  epoch {epoch}  loss {loss:.4f}  lr {sd.learning_rate(recipe, step):.3e}" + (f"  grad-norm {float(norm):.3f}" if norm is not None else "") + f"  {time.time() - started:.0f}s")
        if t["eval_every"] and (step + 1) % t["eval_every"] == 0 and val_rows:
            log(f"eval  step {step + 1}  loss {evaluate(val_rows, t['batch_size']):.4f}")
    if val_rows:
        log(f"eval  final  loss {evaluate(val_rows, t['batch_size']):.4f}")
    accelerator.wait_for_everyone()
    unwrapped = accelerator.unwrap_model(model)
    unwrapped.save_pretrained(args.output_dir, is_main_process=accelerator.is_main_process, save_function=accelerator.save, state_dict=accelerator.get_state_dict(model))
    log(f"saved to {args.output_dir}" + (" (a PEFT adapter: PeftModel.from_pretrained(base, this folder), or merge_and_unload())" if recipe["method"] == "lora" else ""))


if __name__ == "__main__":
    main()
`;
