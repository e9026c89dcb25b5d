"""PyTorch CPU attention for scripts/anchors/attention.sh: matmul, softmax,
matmul in fp32 (the materialized form), causal by adding a -inf mask.
Reads cases "batch heads seq_q seq_k head_dim causal" on stdin, prints
"best_seconds" per case; run with Debian's /usr/bin/python3."""
import sys
import time

import torch

threads, reps = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(42)
for line in sys.stdin:
    b, h, sq, sk, d, causal = (int(x) for x in line.split())
    q = torch.rand(b, h, sq, d) * 2 - 1
    k = torch.rand(b, h, sk, d) * 2 - 1
    v = torch.rand(b, h, sk, d) * 2 - 1
    mask = None
    if causal:  # bottom-right aligned, like npubench's
        mask = torch.triu(torch.full((sq, sk), float("-inf")), 1 + sk - sq)

    def run():
        s = torch.matmul(q, k.transpose(-2, -1)) * (d ** -0.5)
        if mask is not None:
            s = s + mask
        return torch.matmul(torch.softmax(s, dim=-1), v)

    with torch.no_grad():
        run()
        best = float("inf")
        for _ in range(reps):
            t = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - t)
    print(f"{best:.6f}", flush=True)
