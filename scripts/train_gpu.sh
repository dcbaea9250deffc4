#!/usr/bin/env bash
# Train SRResNet-MSE, then SRGAN-MSE initialised from it, on one H100/H200 in about 9
# minutes, and evaluate both on Set5 x4. UNTESTED ON A GPU so far (written in a session
# without one): read the log it returns before trusting the weights.
#
# Prepare here (once):   python scripts/pack_training_data.py      # -> .device/data, < 60 MiB
# Run on the device machine from the repository root, with the packed data carried:
#   run(command="bash scripts/train_gpu.sh", carry=[".device"], timeout_s=600)
# Returned in $OUT (at most 8 files): srresnet-mse.safetensors + .json, srgan-mse.safetensors
# + .json (fp16, the JSON with iterations, time, hardware and the Set5 figures),
# srresnet-mse.csv + srgan-mse.csv (the training logs) and train_gpu.log (everything printed).
# Then, here: copy the four weights files into srmodels/weights/ and record Set14/BSD100:
#   python -m srmodels train --measure srmodels/weights/srresnet-mse \
#       --bench Set14=../shared/datasets/benchmarks/Set14/x4 --bench BSD100=...
#
# Knobs (environment): SRRESNET_SECONDS (340) and SRGAN_SECONDS (100) of training each,
# BATCH (16), LR (1e-4), GAN_COST (3: one SRGAN step costs about this many SRResNet
# steps; sets SRGAN's --iters, hence where its lr drops to 1e-5), SRRESNET_SPEED and
# SRGAN_SPEED (the trainer's speed flags), DATA (.device/data), PYTHON (python3), and
# ALLOW_CPU=1 for a dry run of the script itself on a machine without CUDA (with tiny
# SRRESNET_SPEED / SRGAN_SPEED such as "--device cpu --set arch.num_blocks=1").
set -uo pipefail

PY=${PYTHON:-python3}
DATA=${DATA:-.device/data}
OUT=${OUT:-runs/gpu-out}
RUNS=${RUNS:-/tmp/srmodels-gpu-runs}
SRRESNET_SECONDS=${SRRESNET_SECONDS:-340}
SRGAN_SECONDS=${SRGAN_SECONDS:-100}
BATCH=${BATCH:-16}
LR=${LR:-1e-4}
GAN_COST=${GAN_COST:-3}
SRRESNET_SPEED=${SRRESNET_SPEED:---device cuda --precision bf16 --channels-last --compile --cuda-graphs}
# No --compile for SRGAN: compiling G and D again would eat a third of its two minutes.
SRGAN_SPEED=${SRGAN_SPEED:---device cuda --precision bf16 --channels-last --cuda-graphs}
SET5=$DATA/benchmarks/Set5
TRAIN=("$DATA/train/BSD300-train" "$DATA/train/T91")
export PYTHONUNBUFFERED=1

mkdir -p "$OUT" "$RUNS"
LOG=$OUT/train_gpu.log
exec > >(tee -a "$LOG") 2>&1
START=$(date +%s)
stamp() { echo "[$(($(date +%s) - START)) s] $*"; }

stamp "checking the machine"
"$PY" - <<'EOF' || exit 1
import sys

import torch
from PIL import features

print("python", sys.version.split()[0], "torch", torch.__version__)
import os

if os.environ.get("ALLOW_CPU") != "1":  # ALLOW_CPU=1: a dry run of this script on CPU
    assert torch.cuda.is_available(), "no CUDA device"
    print("device", torch.cuda.get_device_name())
assert features.check("webp"), "this Pillow cannot read the packed WebP files"
EOF
for folder in "${TRAIN[@]}" "$SET5"; do
    [ -d "$folder" ] || { stamp "missing $folder: run scripts/pack_training_data.py and carry .device"; exit 1; }
done

stamp "SRResNet-MSE: ${SRRESNET_SECONDS}s of training"
"$PY" -m srmodels train --recipe srresnet-mse --data "${TRAIN[@]}" --out "$RUNS/srresnet-mse" \
    --iters 1000000 --time-limit "$SRRESNET_SECONDS" --batch-size "$BATCH" --lr "$LR" \
    --set augment=true --log-every 500 --save-every 1000000 --quiet $SRRESNET_SPEED \
    --val "$SET5" --export "$OUT/srresnet-mse" --bench "Set5=$SET5" || { stamp "SRResNet failed"; exit 1; }
cp "$RUNS/srresnet-mse/log.csv" "$OUT/srresnet-mse.csv"

# SRGAN's --iters from SRResNet's measured rate, so that its lr drop (halfway) happens.
GAN_ITERS=$("$PY" - "$RUNS/srresnet-mse/log.csv" "$SRGAN_SECONDS" "$GAN_COST" <<'EOF'
import csv
import sys

rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["content"]]
(s0, t0), (s1, t1) = [(int(r["step"]), float(r["elapsed_s"])) for r in rows[-2:]] if len(rows) > 1 else [(0, 0.0), (1000, 60.0)]
rate = (s1 - s0) / max(t1 - t0, 1e-6)
print(max(100, int(0.85 * rate * float(sys.argv[2]) / float(sys.argv[3]))))
EOF
)
stamp "SRGAN-MSE: $GAN_ITERS iterations (at most ${SRGAN_SECONDS}s), from SRResNet-MSE"
"$PY" -m srmodels train --recipe srgan-mse --init "$RUNS/srresnet-mse/checkpoint.pt" \
    --data "${TRAIN[@]}" --out "$RUNS/srgan-mse" --iters "$GAN_ITERS" \
    --time-limit "$SRGAN_SECONDS" --batch-size "$BATCH" --set augment=true --log-every 200 \
    --save-every 1000000 --quiet $SRGAN_SPEED \
    --val "$SET5" --export "$OUT/srgan-mse" --bench "Set5=$SET5" || stamp "SRGAN failed"
[ -f "$RUNS/srgan-mse/log.csv" ] && cp "$RUNS/srgan-mse/log.csv" "$OUT/srgan-mse.csv"

# The same figures through the two commands a user runs.
for method in srresnet-mse srgan-mse; do
    [ -f "$OUT/$method.safetensors" ] || continue
    stamp "upscale + evaluate $method on Set5"
    "$PY" -m srmodels upscale --method "$method" --weights "$OUT/$method.safetensors" \
        --out "$RUNS/sr-$method" "$SET5"/*_LR.png
    "$PY" -m srmodels evaluate --hr "$SET5" --sr "$RUNS/sr-$method" --scale 4 \
        --hr-pattern '{name}_HR.png' --sr-pattern '{name}_LR.png'
done
stamp "done"
