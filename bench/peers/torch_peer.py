#!/usr/bin/env python3
"""PyTorch + PEFT peer of the real-GPU benchmark (src/lab/bench/gpuBench.ts).

Measures the cases the Node run lists in its manifest (node gpu.mjs --manifest FILE), so both sides run the same
shapes, layer counts, targets and lengths:

  lora    LoRA r=8 (same targets, alpha 16, dropout 0) on random fp32 weights, eager PyTorch with SDPA attention:
          forward + loss + backward + clip_grad_norm_(1.0) + AdamW(lr 1e-4, weight decay 0). tokens/s = B*T / median
          step time (synchronised); peak memory = torch.cuda.max_memory_allocated over the timed steps.
  decode  model.generate greedy (fp32, KV cache, eager/SDPA): time to first token = generate(max_new_tokens=1);
          decode tokens/s = (n - 1) / (time of n tokens - time of 1 token).
  matmul  torch.matmul fp32 (TF32 off, as our kernels are plain fp32): a @ b (plain) and a @ b.T (transB), TFLOP/s.

Prints progress lines and writes a JSON array of {case, value, unit, note, ...} to --out.
Usage: python3 bench/peers/torch_peer.py --manifest cases.json --out torch.json [--reps 5]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch


def log(msg):
    print(f"[torch] {msg}", flush=True)


def sync():
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def build_model(config, device):
    from transformers import AutoConfig, AutoModelForCausalLM
    cfg = dict(config)
    model_type = cfg.pop("model_type")
    cfg.pop("torch_dtype", None)
    cfg.pop("dtype", None)
    hf = AutoConfig.for_model(model_type, **cfg)
    try:
        model = AutoModelForCausalLM.from_config(hf, torch_dtype=torch.float32, attn_implementation="sdpa")
        attn = "sdpa"
    except (ValueError, ImportError) as e:  # a model class without SDPA
        log(f"{model_type}: no SDPA ({e}); eager attention")
        model = AutoModelForCausalLM.from_config(hf, torch_dtype=torch.float32)
        attn = "eager"
    return model.to(device), attn


def lora_case(c, device, reps):
    from peft import LoraConfig, get_peft_model
    torch.manual_seed(0)
    model, attn = build_model(c["config"], device)
    targets = c["targets"]
    model = get_peft_model(model, LoraConfig(r=c["r"], lora_alpha=c["alpha"], lora_dropout=0.0, bias="none",
                                             target_modules=targets, task_type="CAUSAL_LM"))
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    V = model.config.vocab_size
    ids = torch.randint(0, V, (c["B"], c["T"]), device=device)

    def step():
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    loss = step()  # warm-up
    step()
    sync()
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t0)
    s = statistics.median(times)
    peak = torch.cuda.max_memory_allocated() / 2**20 if torch.cuda.is_available() else None
    tps = c["B"] * c["T"] / s
    log(f"{c['case']}: {tps:.1f} tokens/s ({s * 1000:.1f} ms/step), loss {loss.item():.3f}, peak {peak and round(peak)} MiB, attention {attn}")
    del model, opt
    return {"case": c["case"], "value": tps, "unit": "tokens/s", "step_ms": s * 1000, "peak_MiB": peak,
            "loss": loss.item(), "note": f"fp32 eager, {attn} attention, PEFT LoRA r={c['r']} on {targets}, AdamW, clip 1.0, median of {reps}"}


def decode_case(c, device):
    from transformers import AutoModelForCausalLM
    if "dir" in c:
        model = AutoModelForCausalLM.from_pretrained(c["dir"], torch_dtype=torch.float32).to(device)
        attn = "default"
    else:
        torch.manual_seed(0)
        model, attn = build_model(c["config"], device)
    model.eval()
    V = model.config.vocab_size
    limit = getattr(model.config, "max_position_embeddings", None) or getattr(model.config, "n_positions", 1 << 30)
    P = min(c["prompt"], limit - 2)
    n = min(c["new"], limit - P)
    prompt = torch.randint(0, V, (1, P), device=device)
    kw = dict(do_sample=False, pad_token_id=0, eos_token_id=None)

    def gen(k):
        sync()
        t0 = time.perf_counter()
        with torch.no_grad():
            out = model.generate(prompt, max_new_tokens=k, min_new_tokens=k, **kw)
        sync()
        return time.perf_counter() - t0, out.shape[1] - P

    gen(2)  # warm-up
    # Medians of 3 on both sides: one run of a tiny model is within the noise of the first token's time, and a
    # negative difference would print an absurd rate.
    ttft = statistics.median([gen(1)[0] for _ in range(3)])
    runs = [gen(n) for _ in range(3)]
    total, made = statistics.median(r[0] for r in runs), runs[0][1]
    note = f"transformers generate, greedy, fp32, {attn} attention, prompt {P}, {made} new tokens"
    if made < 2 or total <= ttft:
        log(f"{c['case']}: too short to time ({made} new tokens in {total * 1000:.1f} ms, first token {ttft * 1000:.1f} ms)")
        del model
        return {"case": c["case"], "value": None, "unit": "tokens/s", "ttft_ms": ttft * 1000, "note": note + "; too short to time"}
    tps = (made - 1) / (total - ttft)
    log(f"{c['case']}: {tps:.1f} tokens/s, time to first token {ttft * 1000:.1f} ms (prompt {P}, {made} new tokens), attention {attn}")
    del model
    return {"case": c["case"], "value": tps, "unit": "tokens/s", "ttft_ms": ttft * 1000, "note": note}


def matmul_case(c, device, reps):
    M, K, N = c["M"], c["K"], c["N"]
    a = torch.rand(M, K, device=device)
    out = []
    for layout in ("plain", "transB"):
        b = torch.rand(K, N, device=device) if layout == "plain" else torch.rand(N, K, device=device)
        f = (lambda: a @ b) if layout == "plain" else (lambda: a @ b.T)
        f()
        sync()
        t0 = time.perf_counter()
        for _ in range(reps):
            f()
        sync()
        s = (time.perf_counter() - t0) / reps
        tf = 2 * M * K * N / s / 1e12
        log(f"{c['case']} {layout}: {tf:.3f} TFLOP/s")
        out.append({"case": f"{c['case']}/{layout}", "value": tf, "unit": "TFLOP/s", "ms": s * 1000, "note": "torch.matmul fp32, TF32 off"})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = "cuda" if torch.cuda.is_available() else "cpu"
    import transformers
    import peft
    log(f"device {torch.cuda.get_device_name(0) if device == 'cuda' else 'cpu'}; torch {torch.__version__}, "
        f"transformers {transformers.__version__}, peft {peft.__version__}")
    with open(args.manifest) as f:
        m = json.load(f)
    records = []

    def attempt(fn, *a):
        try:
            r = fn(*a)
            records.extend(r if isinstance(r, list) else [r])
        except Exception as e:  # one failed case must not lose the others
            log(f"FAILED {a[0].get('case')}: {type(e).__name__}: {e}")
            records.append({"case": a[0].get("case"), "value": None, "unit": None, "note": f"failed: {type(e).__name__}: {e}"})
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    for c in m.get("matmul", []):
        attempt(matmul_case, c, device, 20 if device == "cuda" else 2)
    for c in m.get("decode", []):
        attempt(decode_case, c, device)
    for c in m.get("lora", []):
        attempt(lora_case, c, device, args.reps)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(records, f, indent=1)
    os.replace(tmp, args.out)
    log(f"records written to {args.out}")


if __name__ == "__main__":
    sys.exit(main())
