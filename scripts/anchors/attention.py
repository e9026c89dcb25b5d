"""PyTorch CPU attention for scripts/anchors/attention.sh: matmul, softmax,
matmul in fp32 (the materialized form), causal by adding a -inf mask.
Reads cases "batch heads seq_q seq_k head_dim causal" on stdin, prints
"best_seconds_alloc best_seconds_reuse" per case; run with Debian's
/usr/bin/python3.

Two forms of the same arithmetic: "alloc" as PyTorch code is usually
written (each step returns a new tensor), and "reuse", every buffer
allocated once and written with out= and in-place ops.  The scores are
seq_q x seq_k per head, far past glibc's mmap threshold, so in the first
form every step maps fresh pages and the kernel zeroes them on first
touch; where page faults are slow (virtual machines) that dominates, and
the second form is what PyTorch itself can do on the host."""
import sys

import torch

from anchor_timing import best_seconds

threads, reps = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(42)


for line in sys.stdin:
    b, h, sq, sk, d, causal = (int(x) for x in line.split())
    q = torch.rand(b, h, sq, d) * 2 - 1
    k = torch.rand(b, h, sk, d) * 2 - 1
    v = torch.rand(b, h, sk, d) * 2 - 1
    kt = k.transpose(-2, -1)
    scale = d ** -0.5
    mask = None
    if causal:  # bottom-right aligned, like npubench's
        mask = torch.triu(torch.full((sq, sk), float("-inf")), 1 + sk - sq)

    def alloc():
        s = torch.matmul(q, kt) * scale
        if mask is not None:
            s = s + mask
        return torch.matmul(torch.softmax(s, dim=-1), v)

    s = torch.empty(b, h, sq, sk)
    p = torch.empty(b, h, sq, sk)
    o = torch.empty(b, h, sq, d)

    def reuse():
        torch.matmul(q, kt, out=s)
        s.mul_(scale)
        if mask is not None:
            s.add_(mask)
        torch.ops.aten._softmax.out(s, -1, False, out=p)
        torch.matmul(p, v, out=o)

    with torch.no_grad():
        ta = best_seconds(reps, alloc)
        tr = best_seconds(reps, reuse)
        # Both forms must agree, or the faster one is not the same work.
        if not torch.allclose(alloc(), (reuse(), o)[1], atol=1e-5):
            sys.exit("attention.py: the reuse form disagrees with the alloc form")
    print(f"{ta:.6f} {tr:.6f}", flush=True)
