/**
 * train_trl.py of the cluster hand-off: the same run with TRL's SFTTrainer — the pre-tokenized rows (our masks, so
 * no template drift), the studio's initial LoRA, the same optimizer settings and schedule, and a sampler that yields
 * the studio's shuffle of every epoch, so the Trainer's consecutive batches are the studio's micro-batches.
 */
export const TRAIN_TRL_PY = String.raw`#!/usr/bin/env python3
"""The same run with TRL's SFTTrainer (python train_trl.py, or accelerate launch ... train_trl.py).

Uses the pre-tokenized rows (the studio's exact labels), the studio's initial LoRA (init_adapter/), its optimizer
settings and schedule, and its shuffle. train.py is the reference: it normalises every step's loss exactly as the
studio does; the Trainer's normalisation of gradient accumulation can differ slightly across transformers versions.
"""
import argparse
import json
import os
import sys

import torch
from datasets import Dataset
from transformers import AutoModelForCausalLM
from trl import SFTConfig, SFTTrainer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import studio_data as sd  # noqa: E402


class StudioOrder(torch.utils.data.Sampler):
    """Each pass yields the studio's shuffled order for the next epoch (consecutive batches = its micro-batches)."""

    def __init__(self, n, seed):
        self.n, self.seed, self.epoch = n, seed, 0

    def __len__(self):
        return self.n

    def __iter__(self):
        order = sd.shuffled(list(range(self.n)), self.seed + self.epoch)
        self.epoch += 1
        return iter(order)


class StudioSFTTrainer(SFTTrainer):
    def _get_train_sampler(self, *args, **kwargs):
        return StudioOrder(len(self.train_dataset), self.args.seed)


def main():
    recipe = json.load(open(os.path.join(HERE, "recipe.json"), encoding="utf-8"))
    t, o = recipe["training"], recipe["optimizer"]
    p = argparse.ArgumentParser()
    p.add_argument("--model", default=recipe["base_model"]["load_from"])
    p.add_argument("--output-dir", default=os.path.join(HERE, "output-trl"))
    args = p.parse_args()

    rows = sd.read_jsonl(os.path.join(HERE, recipe["data"]["train_tokenized"]))
    train = Dataset.from_list(rows)
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32)
    if recipe["method"] == "lora":
        from peft import PeftModel
        model = PeftModel.from_pretrained(model, os.path.join(HERE, "init_adapter"), is_trainable=True)

    def collate(batch):
        return {k: torch.tensor(v) for k, v in sd.collate(batch, t["max_length"], t["pad_id"], pad_to_max_length=False).items()}

    schedule = {"constant": "constant_with_warmup", "linear": "linear", "cosine": "cosine"}[t["schedule"]]
    config = SFTConfig(
        output_dir=args.output_dir, per_device_train_batch_size=t["batch_size"], gradient_accumulation_steps=t["grad_accum"],
        learning_rate=t["lr"], lr_scheduler_type=schedule, warmup_steps=t["warmup_steps"], max_steps=t["total_steps"],
        num_train_epochs=t["epochs"], weight_decay=o["weight_decay"], max_grad_norm=o["max_grad_norm"] or 1e9,
        adam_beta1=o["beta1"], adam_beta2=o["beta2"], adam_epsilon=o["eps"], optim="adamw_torch", seed=t["seed"],
        max_length=t["max_length"], packing=False, dataset_kwargs={"skip_prepare_dataset": True}, remove_unused_columns=False,
        logging_steps=1, save_strategy="no", report_to="none", bf16=False, fp16=False, use_cpu=not torch.cuda.is_available(),
    )
    trainer = StudioSFTTrainer(model=model, args=config, train_dataset=train, data_collator=collate)
    trainer.train()
    trainer.save_model(args.output_dir)


if __name__ == "__main__":
    main()
`;
