"""Pass 1 on a Dask cluster (`engine = "dask"`, `scheduler = "tcp://host:port"`, or a
LocalCluster of `workers` processes when no scheduler is given).

The driver ingests (as the local engine does), sends chunks of raw documents to the
cluster with a bounded number in flight, and gets back, in input order, each document's
corpus features and its pickled bytes (workers cannot reach the driver's staging folder),
which the driver appends to its own spool.  The corpus step and the write pass are the
local engine's, so the outputs are byte-identical (tests/test_dask.py).
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator

from ..config import Config
from .local import worker_count

WINDOW_PER_WORKER = 4


def _client(config: Config):
    from distributed import Client, LocalCluster
    if config.scheduler:
        return Client(config.scheduler), None
    cluster = LocalCluster(n_workers=worker_count(config), threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return Client(cluster), cluster


def map_ordered_dask(fn: Callable, chunks: Iterable[list], config: Config) -> Iterator[tuple[list, list]]:
    """Yield (chunk, [fn(chunk[0][1], config)]) for every chunk, in input order, computed on
    the cluster (the same contract as `local.map_ordered` with `send=lambda c: [c[0][1]]`)."""
    client, cluster = _client(config)
    try:
        window = max(2, WINDOW_PER_WORKER * max(1, len(client.scheduler_info().get("workers", {})) or 1))
        pending: deque = deque()
        for chunk in chunks:
            pending.append((chunk, client.submit(fn, chunk[0][1], config, pure=False)))
            if len(pending) >= window:
                done, future = pending.popleft()
                yield done, [future.result()]
        while pending:
            done, future = pending.popleft()
            yield done, [future.result()]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
