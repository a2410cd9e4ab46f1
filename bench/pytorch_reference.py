"""The reference CNN of bench/reference-cnn.ts in PyTorch, on the CPU with one thread (the peer that
`npm run bench:train` compares with). Run: python3 bench/pytorch_reference.py [seconds]
Prints training and inference images/s; the last line is one JSON object. `npm run bench:train` runs it
itself after the tfjs backends and prints the ratio (or why there is none)."""
import json
import sys
import time

import torch
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(0)
SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 8.0
BATCH = 32

# conv 16 3x3 same relu, pool 2, conv 32 3x3 same relu, pool 2, dropout 0.3, flatten, dense 4 (softmax in the loss)
model = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Dropout(0.3), nn.Flatten(), nn.Linear(32 * 16 * 16, 4),
)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
x = torch.rand(BATCH, 3, 64, 64)
y = torch.randint(0, 4, (BATCH,))


def loop(step, budget):
    for _ in range(3):
        step()
    n, t0 = 0, time.perf_counter()
    while n < 5 or time.perf_counter() - t0 < budget:
        step()
        n += 1
    return n * BATCH / (time.perf_counter() - t0)


def train_step():
    opt.zero_grad()
    loss_fn(model(x), y).backward()
    opt.step()


def infer_step():
    with torch.no_grad():
        model(x)


model.train()
train = loop(train_step, SECONDS)
model.eval()
infer = loop(infer_step, SECONDS / 2)
print(f"pytorch {torch.__version__} cpu, 1 thread: train {train:.1f} img/s, inference {infer:.1f} img/s, step/forward {infer / train:.2f}x")
print(json.dumps({"bench": "pytorch-reference", "torch": torch.__version__, "threads": 1, "batch": BATCH,
                  "trainImagesPerSec": round(train, 1), "inferImagesPerSec": round(infer, 1),
                  "trainStepOverForward": round(infer / train, 2)}))
