#!/usr/bin/env bash
# The real-GPU benchmark and its PyTorch peer, on the GPU machine (see bench/README.md, "On a GPU machine").
# Run from the project root after `bash ../shared/device/pack.sh src/lab/bench/node/gpu.ts` (here) has made .devkit/:
#   bash bench/gpu.sh [--quick] [--case TEXT] [--layers N] [--steps 1x256,4x512] [--prompt N] [--new N]
# Writes $OUT/{cases,ours,torch,combined}.json and the two logs; prints both sides' progress and the ratio table.
set -uo pipefail
OUT=${OUT:-/tmp/gpu-bench}
mkdir -p "$OUT"
bash .devkit/run.sh gpu "$@" --manifest "$OUT/cases.json" --out "$OUT/ours.json" > "$OUT/ours.log" 2>&1
echo "[gpu.sh] ours: exit $?"
grep -v '^[ \[{}]\|^ *"' "$OUT/ours.log" | head -n 20          # anything that is not progress or JSON (errors)
grep '^\[gpu\]' "$OUT/ours.log"
if [ -f "$OUT/cases.json" ]; then
  python3 bench/peers/torch_peer.py --manifest "$OUT/cases.json" --out "$OUT/torch.json" > "$OUT/torch.log" 2>&1
  echo "[gpu.sh] pytorch: exit $?"
  grep -v '^\[torch\]' "$OUT/torch.log" | grep -iv 'warn' | tail -n 15
  grep '^\[torch\]' "$OUT/torch.log"
fi
python3 bench/peers/compare.py "$OUT/ours.json" "$OUT/torch.json" --out "$OUT/combined.json"
