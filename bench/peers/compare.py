#!/usr/bin/env python3
"""Joins our GPU benchmark records (src/lab/bench/node/gpu.ts) with the PyTorch peer's (torch_peer.py) by case and
prints ours / PyTorch for every case both measured (higher is better in every unit). Decode cases: ours has an
"after" (matvec + GPU sampling, the default) and a "before" (matmul + host sampling) record against one PyTorch one.
Usage: python3 bench/peers/compare.py ours.json torch.json [--out combined.json]"""
import argparse
import json
import os


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"[compare] {path}: {e}")
        return []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ours")
    ap.add_argument("torch")
    ap.add_argument("--out")
    a = ap.parse_args()
    ours, peer = load(a.ours), {r["case"]: r for r in load(a.torch)}
    rows = []
    for r in ours:
        case = r["case"]
        key = case.rsplit("/", 1)[0] if case.startswith("decode/") else case
        p = peer.get(key)
        pv = p.get("value") if p else None
        ratio = r["ours"] / pv if pv else None
        rows.append({**r, "peer": "pytorch", "peer_value": pv, "ratio": ratio,
                     "peer_ttft_ms": p.get("ttft_ms") if p else None, "peer_peak_MiB": p.get("peak_MiB") if p else None})
    fmt = lambda v: "-" if v is None else (f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}")
    print(f"{'case':52} {'ours':>10} {'pytorch':>10} {'ratio':>7}  unit       extra")
    for r in rows:
        extra = []
        if r.get("ttft_ms") is not None:
            extra.append(f"TTFT {r['ttft_ms']:.1f} ms vs {fmt(r['peer_ttft_ms'])} ms")
        if r.get("peak_MiB") is not None:
            extra.append(f"peak {r['peak_MiB']:.0f} MiB (planned {r.get('planned_MiB', 0):.0f}) vs {fmt(r['peer_peak_MiB'])} MiB")
        print(f"{r['case']:52} {fmt(r['ours']):>10} {fmt(r['peer_value']):>10} {fmt(r['ratio']):>7}  {r['unit']:10} {'; '.join(extra)}")
    for case in sorted(set(peer) - {(r['case'].rsplit('/', 1)[0] if r['case'].startswith('decode/') else r['case']) for r in ours}):
        print(f"{case:52} {'-':>10} {fmt(peer[case].get('value')):>10}  (PyTorch only: {peer[case].get('note', '')})")
    if a.out:
        with open(a.out + ".tmp", "w") as f:
            json.dump(rows, f, indent=1)
        os.replace(a.out + ".tmp", a.out)


if __name__ == "__main__":
    main()
