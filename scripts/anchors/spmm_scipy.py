"""SciPy sparse x dense for scripts/anchors/spmm.sh: csr_matrix (fp32) @
ndarray (fp32, C order).  Reads "m n k density" per line on stdin, prints
the best seconds of REPS; SciPy's product is single-threaded."""
import sys
import time

import numpy as np
import scipy.sparse as sp

reps = int(sys.argv[1])
rng = np.random.default_rng(42)
for line in sys.stdin:
    m, n, k = (int(x) for x in line.split()[:3])
    density = float(line.split()[3])
    a = sp.random(m, k, density=density, format="csr", dtype=np.float32, random_state=42)
    b = (rng.random((k, n), dtype=np.float32) * 2 - 1)
    a @ b
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    print(f"{best:.6f}", flush=True)
