"""Engines that run pass 1 of the streaming pipeline (see cleaner.pipeline)."""
