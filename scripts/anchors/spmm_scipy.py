"""SciPy sparse x dense for scripts/anchors/spmm.sh: csr_matrix (fp32) @
ndarray (fp32, C order).  Reads "m n k density" per line on stdin, prints
the best seconds of REPS; SciPy's product is single-threaded."""
import sys

from anchor_timing import best_seconds
from spmm_common import cases

reps = int(sys.argv[1])
for _, _, _, a, b in cases():
    print(f"{best_seconds(reps, lambda: a @ b):.6f}", flush=True)
