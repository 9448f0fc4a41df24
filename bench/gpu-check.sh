#!/usr/bin/env bash
# The GPU path checked on a GPU, in one prepared script.
#
#   bench/gpu-check.sh prepare      here, with the .NET SDK: publishes the trimmed self-contained
#                                   worker (packed: 38 MiB becomes 11) and copies Fashion-MNIST
#                                   (Debian's dataset-fashion-mnist) into artifacts/gpu-check/
#                                   (about 42 MiB, under a device run's 64 MiB carry; ignored by git)
#   bench/gpu-check.sh run [FILE]   on the GPU machine (no SDK needed; carry artifacts/gpu-check):
#                                   1. the worker's CPU/CUDA agreement checks (challenge-worker check)
#                                   2. the reference CNN on Fashion-MNIST on CUDA, then on the CPU,
#                                   and writes examples/s, epoch time and test accuracy of both to
#                                   FILE (default $OUT/gpu-check.txt, or artifacts/gpu-check/results.txt)
#
# Environment: EPOCHS (default 3), CPU_LIMIT (training images for the CPU run, default 20000: the
# CPU is only timed, a full CPU run would take most of the machine's time), CPU_THREADS (threads
# the CPU run may use; default every core, set 2 to compare with the 2-core figures).
set -euo pipefail
cd "$(dirname "$0")/.."
root=artifacts/gpu-check
data=/usr/share/datasets/fashion-mnist

case "${1:-}" in
prepare)
  rm -rf "$root"
  dotnet publish src/Challenge.Worker -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true -o "$root/worker"
  tar -C "$root/worker" -cJf "$root/worker.tar.xz" . && rm -rf "$root/worker"
  mkdir -p "$root/data"
  cp "$data"/*.gz "$root/data/"
  du -sh "$root"/*
  ;;
run)
  out_file=${2:-${OUT:-$root}/gpu-check.txt}
  epochs=${EPOCHS:-3}
  cpu_limit=${CPU_LIMIT:-20000}
  [ -f "$root/worker.tar.xz" ] || { echo "no $root/worker.tar.xz: run 'bench/gpu-check.sh prepare' first and carry $root" >&2; exit 2; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/worker" && tar -C "$work/worker" -xJf "$root/worker.tar.xz"
  worker="$work/worker/challenge-worker"
  {
    echo "# gpu-check $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname)"
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | sed 's/^/# gpu: /' || echo "# gpu: nvidia-smi not found"
    echo "# cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  } > "$out_file"

  echo "== agreement checks" | tee -a "$out_file"
  set +e
  "$worker" check 2>&1 | tee -a "$out_file"
  check_status=${PIPESTATUS[0]}
  set -e

  # One training run: the worker's own `train` on the IDX files (labels beside the images; the
  # t10k labels make it log the test accuracy). Prints one RESULT line.
  train() {
    local device=$1 limit=$2 log="$work/$1.log" train_images="$root/data/train-images-idx3-ubyte.gz"
    if [ "$limit" -lt 60000 ]; then
      # The first $limit images and labels as IDX files of their own (headers rewritten).
      python3 - "$root/data" "$work/$device" "$limit" <<'PY'
import gzip, sys, os
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(dst, exist_ok=True)
for kind, item in (("images-idx3", 784), ("labels-idx1", 1)):
    data = gzip.open(f"{src}/train-{kind}-ubyte.gz").read()
    dims = data[3]
    header = bytearray(data[:4 + 4 * dims]); header[4:8] = n.to_bytes(4, "big")
    with gzip.open(f"{dst}/train-{kind}-ubyte.gz", "wb", compresslevel=1) as f:
        f.write(bytes(header) + data[4 + 4 * dims: 4 + 4 * dims + n * item])
PY
      train_images="$work/$device/train-images-idx3-ubyte.gz"
    fi
    local start end status
    start=$(date +%s.%N)
    set +e
    local threads=()
    [ "$device" = cpu ] && [ -n "${CPU_THREADS:-}" ] && threads=(--threads "$CPU_THREADS")
    # The bench's CNN settings: Adam at 2e-3 with cosine decay, batch 64, no validation split.
    "$worker" train --train "$train_images" --test "$root/data/t10k-images-idx3-ubyte.gz" --model cnn --epochs "$epochs" \
      --lr 0.002 --validation 0 --device "$device" --out "$work/$device.csv" --seed 1 "${threads[@]}" > "$log" 2>&1
    status=$?
    set -e
    end=$(date +%s.%N)
    if [ $status -ne 0 ]; then
      echo "RESULT $device: FAILED (exit $status)"; tail -n 20 "$log"; return 0
    fi
    # The last epoch's throughput, the test accuracy the pipeline logs, and the wall time.
    local speed accuracy
    speed=$(grep -oE 'epoch [0-9]+/[0-9]+ batch ([0-9]+)/\1 .* ([0-9]+) ex/s' "$log" | tail -n 1 | grep -oE '[0-9]+ ex/s' | cut -d' ' -f1)
    accuracy=$(grep -oE 'test accuracy: [0-9.]+' "$log" | tail -n 1 | cut -d' ' -f3)
    python3 - "$device" "$limit" "$epochs" "${speed:-0}" "${accuracy:-nan}" "$start" "$end" <<'PY'
import sys
device, limit, epochs, speed, accuracy, start, end = sys.argv[1:]
limit, epochs, speed = int(limit), int(epochs), float(speed)
epoch = limit / speed if speed else float("nan")
print(f"RESULT {device}: {speed:.0f} examples/s, epoch {epoch:.1f} s ({limit} images), {epochs} epochs, "
      f"test accuracy {accuracy}, wall {float(end) - float(start):.1f} s")
PY
  }

  echo "== Fashion-MNIST, reference CNN, $epochs epochs" | tee -a "$out_file"
  train cuda 60000 | tee -a "$out_file"
  train cpu "$cpu_limit" | tee -a "$out_file"
  python3 - "$out_file" <<'PY' | tee -a "$out_file"
import re, sys
speeds = dict(re.findall(r"RESULT (\w+): (\d+) examples/s", open(sys.argv[1]).read()))
if "cuda" in speeds and "cpu" in speeds and float(speeds["cpu"]) > 0:
    print(f"RESULT cuda/cpu throughput ratio: {float(speeds['cuda']) / float(speeds['cpu']):.1f}x (goal: 20x the 2-core CPU)")
PY
  echo "wrote $out_file"
  exit "$check_status"
  ;;
*)
  sed -n '2,17p' "$0"
  exit 2
  ;;
esac
