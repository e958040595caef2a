"""The deterministic simulation core. Never imports pygame, matplotlib or dask."""
