"""Serves Plotly's browser bundle from the installed ``plotly`` wheel as a static file.

The bundle (``plotly/package_data/plotly.min.js``) is not copied into the repository: this finder
exposes it as ``indicators/vendor/plotly.min.js`` so ``{% static %}``, WhiteNoise and
``collectstatic`` find it offline, with no CDN.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PREFIX = "indicators/vendor"
FILENAME = "plotly.min.js"
STATIC_PATH = f"{PREFIX}/{FILENAME}"


def bundle_dir() -> Path:
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data"


class PlotlyFinder(BaseFinder):
    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        wanted_all = find_all or kwargs.get("all", False)
        source = bundle_dir() / FILENAME
        if path != STATIC_PATH or not source.is_file():
            return [] if wanted_all else None
        return [str(source)] if wanted_all else str(source)

    def list(self, ignore_patterns):
        storage = FileSystemStorage(location=str(bundle_dir()))
        storage.prefix = PREFIX
        if storage.exists(FILENAME):
            yield FILENAME, storage
