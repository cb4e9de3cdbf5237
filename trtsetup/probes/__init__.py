"""Probes: one module per subject; each reads the machine through a Host and returns a record.

Pure ``parse_*`` functions turn text into values; ``read_*`` functions do the I/O through
the host. ``gather.py`` runs them all (slow ones concurrently, with timeouts) into ``Facts``.
"""
