"""Builders of platform trees (Jetson, x86, containers) for ``--root`` tests."""
