"""Plain definitions the vectorised LSH code is tested against."""
import numpy as np


def pairs_sharing_a_band(keys: np.ndarray) -> set[tuple[int, int]]:
    """Every (i, j), i < j, of rows of `keys` (one column per band) equal in some column."""
    n = keys.shape[0]
    return {(i, j) for i in range(n) for j in range(i + 1, n) if (keys[i] == keys[j]).any()}
