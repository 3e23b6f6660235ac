"""zhengwu (政务): an integrated government service platform (一体化政务服务平台)."""

from importlib import metadata as _metadata

try:
    # The installed distribution's version (pyproject.toml's [project] version at `pip install`).
    __version__ = _metadata.version("zhengwu")
except _metadata.PackageNotFoundError:  # a source tree on PYTHONPATH, never installed
    __version__ = "0+unknown"
