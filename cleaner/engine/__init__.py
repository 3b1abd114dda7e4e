"""Where a run's work runs: a local process pool (`local`) or a Dask cluster (`dask_*`)."""
