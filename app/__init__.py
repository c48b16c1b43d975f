"""Podpora: remote assistance for IT technicians over SSH.

Importing this package has no side effects; it only carries the version.
"""

__version__ = "0.1.0"
