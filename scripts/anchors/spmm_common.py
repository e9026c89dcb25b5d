"""What spmm_scipy.py and spmm_torch.py share (scripts/anchors/spmm.sh):
the cases read from stdin and the operands built for them, the same in
both, so that their times compare."""
import sys

import numpy as np
import scipy.sparse as sp


def cases(lines=sys.stdin):
    """(m, n, k, a, b) per "m n k density" line: A is m x k CSR fp32 at that
    density (SciPy's generator, seed 42); B is k x n dense fp32 in [-1, 1),
    from one generator seeded 42 for the whole input."""
    rng = np.random.default_rng(42)
    for line in lines:
        f = line.split()
        m, n, k = (int(x) for x in f[:3])
        a = sp.random(m, k, density=float(f[3]), format="csr", dtype=np.float32, random_state=42)
        b = rng.random((k, n), dtype=np.float32) * 2 - 1
        yield m, n, k, a, b
