"""Loaders of the reference data (the Classifier, territories, authorities, routing rules)
from the versioned files under data/reference/. See `manage.py load_reference`."""

from vikno.directory.loaders.base import LoadError
from vikno.directory.loaders.reference import LoadReport, load_reference

__all__ = ["LoadError", "LoadReport", "load_reference"]
