"""Verified pairs into stories.

Pairs are joined best first; two groups merge only when at least half of the pairs across
them were verified and no site would appear twice, so a chain of pairwise resemblances
(A like B, B like C) does not pull in a document unlike the rest.
"""
from __future__ import annotations

from collections.abc import Sequence


def group(n: int, edges: Sequence[tuple[float, int, int]], sites: Sequence[str | None],
          min_share: float = 0.5) -> list[list[int]]:
    """Groups of 2+ of the `n` documents from verified `edges` (score, i, j); each group
    sorted, groups ordered by their first member."""
    verified = {(min(i, j), max(i, j)) for _, i, j in edges}
    label = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    for _, i, j in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        x, y = label[i], label[j]
        if x == y:
            continue
        gx, gy = members[x], members[y]
        site_x = {sites[k] for k in gx if sites[k] is not None}
        if any(sites[k] in site_x for k in gy if sites[k] is not None):
            continue
        linked = sum((min(p, q), max(p, q)) in verified for p in gx for q in gy)
        if linked < min_share * len(gx) * len(gy):
            continue
        if len(gx) < len(gy) or (len(gx) == len(gy) and x > y):
            x, y, gx, gy = y, x, gy, gx
        gx.extend(gy)
        for k in gy:
            label[k] = x
        del members[y]
    groups = [sorted(g) for g in members.values() if len(g) > 1]
    return sorted(groups)
