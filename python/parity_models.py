"""Live parity with Hugging Face transformers + PEFT (used by src/python/models.test.ts).

    python parity_models.py JOB.json OUT.json

JOB: {"cases": [{"name", "base", "adapter", "merged", "input_ids": [[...]], "labels": [[...]]}]}: HF folders the
studio wrote (a tiny random base model, OUR PEFT adapter export, OUR merged-model export) and one labelled batch
(labels unshifted, -100 = ignored, as HF expects).

For every case, in float32 and in float64, with eager attention and no attention mask (right padding only, so the
causal mask alone is what the studio's engine applies):
  base_loss    AutoModelForCausalLM(input_ids, labels=labels).loss (HF's shift + ignore_index mean)
  lora_loss    the same through PeftModel.from_pretrained(base, adapter) (is_trainable=True, dropout 0)
  grads        d lora_loss / d lora_A, lora_B per module after backward(), keyed like the adapter file
               ("base_model.model.<module>.lora_A.weight"), flattened row-major
  lora_logits  logits of base + adapter (B*T*V, flattened)
  merged_logits logits of AutoModelForCausalLM.from_pretrained(merged)
  loaded_max_diff  max |PEFT's loaded lora tensor - the adapter file's| (0 unless loading changed a value)
  lora_keys    the lora parameters PEFT created (to check that all-linear resolved to the same modules)
"""
import json
import sys

import torch
import transformers
import peft
from peft import PeftModel
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM

torch.manual_seed(0)
torch.use_deterministic_algorithms(True)


def load(path, dtype):
    model = AutoModelForCausalLM.from_pretrained(path, attn_implementation="eager", dtype=dtype)
    return model.eval()


def adapter_key(param_name):
    # PEFT names the parameter "<...>.lora_A.default.weight"; the saved key drops the adapter name.
    return param_name.replace(".default.", ".")


def run_case(case, dtype):
    ids = torch.tensor(case["input_ids"], dtype=torch.long)
    labels = torch.tensor(case["labels"], dtype=torch.long)
    base = load(case["base"], dtype)
    with torch.no_grad():
        base_loss = base(input_ids=ids, labels=labels).loss.item()

    model = PeftModel.from_pretrained(base, case["adapter"], is_trainable=True).to(dtype)
    model.eval()  # no dropout anywhere (the adapter's lora_dropout is 0 too)
    saved = load_file(f"{case['adapter']}/adapter_model.safetensors")
    lora = {adapter_key(n): p for n, p in model.named_parameters() if ".lora_" in n}
    loaded_max_diff = max(float((lora[k].detach().double() - v.double()).abs().max()) if k in lora else float("inf") for k, v in saved.items())
    out = model(input_ids=ids, labels=labels)
    out.loss.backward()
    grads = {k: p.grad.detach().double().flatten().tolist() for k, p in lora.items()}
    lora_logits = out.logits.detach().double().flatten().tolist()

    merged = load(case["merged"], dtype)
    with torch.no_grad():
        merged_logits = merged(input_ids=ids).logits.double().flatten().tolist()
    return {
        "base_loss": base_loss,
        "lora_loss": out.loss.item(),
        "grads": grads,
        "lora_logits": lora_logits,
        "merged_logits": merged_logits,
        "loaded_max_diff": loaded_max_diff,
        "lora_keys": sorted(lora),
    }


def main():
    job = json.load(open(sys.argv[1]))
    results = {}
    for case in job["cases"]:
        results[case["name"]] = {"f32": run_case(case, torch.float32), "f64": run_case(case, torch.float64)}
    versions = {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__}
    with open(sys.argv[2], "w") as f:
        json.dump({"versions": versions, "cases": results}, f)


if __name__ == "__main__":
    main()
