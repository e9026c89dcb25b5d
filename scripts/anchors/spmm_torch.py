"""PyTorch sparse x dense for scripts/anchors/spmm.sh: the same CSR matrix
as spmm_scipy.py (fp32, SciPy's generator and seed) as a torch sparse CSR
tensor @ a dense fp32 tensor, on THREADS threads (SciPy has one).  Reads
"m n k density" per line on stdin, prints the best seconds of REPS."""
import sys
import warnings

import numpy as np
import torch

from anchor_timing import best_seconds
from spmm_common import cases

warnings.filterwarnings("ignore", message=".*Sparse CSR tensor support is in beta.*")
threads, reps = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
for m, _, k, a, b in cases():
    ta = torch.sparse_csr_tensor(torch.from_numpy(a.indptr.astype(np.int64)),
                                 torch.from_numpy(a.indices.astype(np.int64)),
                                 torch.from_numpy(a.data), size=(m, k))
    tb = torch.from_numpy(b)
    with torch.no_grad():
        c = ta @ tb
        if not np.allclose(c.numpy(), a @ b, atol=1e-4):
            sys.exit("spmm_torch.py: torch's product disagrees with SciPy's")
        best = best_seconds(reps, lambda: ta @ tb)
    print(f"{best:.6f}", flush=True)
