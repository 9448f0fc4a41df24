"""The Challenge.Ml reference CNN in PyTorch, for a side-by-side timing on the same CPU.

Same architecture, optimiser, schedule and batch size as `Challenge.Ml.Bench <folder> cnn`:
two blocks of 3x3 convolution (no bias) + batch norm + ReLU + 2x2 max-pooling (32 then 64
channels), dropout 0.25, a hidden layer of 256 units with ReLU and dropout 0.25, a linear head; Adam at 2e-3 with cosine decay to zero, batch 64,
per-channel standardisation, no augmentation.

Usage: python3 fashion_mnist_torch.py <fashion-mnist folder> [epochs] [threads] [training images]
"""
import gzip
import math
import sys
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    folder = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else None
    torch.set_num_threads(threads)
    torch.manual_seed(1)

    x_train = read_idx(f"{folder}/train-images-idx3-ubyte.gz").astype(np.float32) / 255
    y_train = read_idx(f"{folder}/train-labels-idx1-ubyte.gz").astype(np.int64)
    x_train, y_train = x_train[:limit], y_train[:limit]
    x_test = read_idx(f"{folder}/t10k-images-idx3-ubyte.gz").astype(np.float32) / 255
    y_test = read_idx(f"{folder}/t10k-labels-idx1-ubyte.gz").astype(np.int64)
    mean, std = x_train.mean(), x_train.std()
    x_train = torch.from_numpy((x_train - mean) / std).unsqueeze(1)
    x_test = torch.from_numpy((x_test - mean) / std).unsqueeze(1)
    y_train, y_test = torch.from_numpy(y_train), torch.from_numpy(y_test)

    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(7 * 7 * 64, 256), nn.ReLU(), nn.Dropout(0.25), nn.Linear(256, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    batch = 64
    steps_per_epoch = len(x_train) // batch
    total = epochs * steps_per_epoch
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * step / total)))
    loss_fn = nn.CrossEntropyLoss()

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {len(x_train)} training images", flush=True)
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        epoch_start = time.perf_counter()
        order = torch.randperm(len(x_train))
        loss_sum = 0.0
        for b in range(steps_per_epoch):
            index = order[b * batch:(b + 1) * batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[index]), y_train[index])
            loss.backward()
            optimizer.step()
            schedule.step()
            loss_sum += loss.item()
        seconds = time.perf_counter() - epoch_start
        print(f"epoch {epoch}/{epochs} loss {loss_sum / steps_per_epoch:.4f} {steps_per_epoch * batch / seconds:.0f} ex/s {seconds:.1f} s", flush=True)
    train_seconds = time.perf_counter() - start

    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(x_test[i:i + 256]).argmax(1) for i in range(0, len(x_test), 256)])
    accuracy = (predicted == y_test).float().mean().item()
    print(f"RESULT torch cnn: test accuracy {accuracy:.4f}, training {train_seconds:.1f} s")


if __name__ == "__main__":
    main()
