"""SciPy sparse x dense for scripts/anchors/spmm.sh: csr_matrix (fp32) @
ndarray (fp32, C order).  Reads "m n k density" per line on stdin, prints
the best seconds of REPS; SciPy's product is single-threaded."""
import sys

from spmm_common import best_seconds, cases, report

reps = int(sys.argv[1])
for _, _, _, a, b in cases():
    a @ b
    report(best_seconds(reps, lambda: a @ b))
