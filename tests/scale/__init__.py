"""Scaling out end to end: Dask and Ray clusters, data-parallel training, Parquet shards."""
