"""The timing of the Python anchors (scripts/anchors/*.py): the best of
REPS calls, after one untimed call that takes first touches and lazy
set-up out of the measurement."""
import time


def best_seconds(reps, fn):
    """The least time of REPS calls of FN, after a warm-up call."""
    fn()
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best
