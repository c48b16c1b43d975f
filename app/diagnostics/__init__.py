"""Signed diagnostic and repair scripts: manifests, signatures, the runner and structured results."""
