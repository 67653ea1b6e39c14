"""Which entities can be imported. Each domain registers its importers when its module is loaded."""

from __future__ import annotations

import importlib

from nexus360.importing.spec import ImporterSpec

# Modules whose import registers importers; a domain adding an importer adds its module here.
IMPORTER_MODULES: tuple[str, ...] = ("nexus360.crm.importing.service", "nexus360.marketing.importing.service")

_importers: dict[str, ImporterSpec] = {}
_loaded = False


def register(spec: ImporterSpec) -> ImporterSpec:
    """Make `spec` available to the CLI and the importer widget under its entity name."""
    _importers[spec.entity] = spec
    return spec


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in IMPORTER_MODULES:
            importlib.import_module(module)
        _loaded = True


def importer_names() -> list[str]:
    """Entity names that can be imported, in registration order."""
    _load()
    return list(_importers)


def get_importer(entity: str) -> ImporterSpec:
    """The importer registered for `entity`; KeyError names the ones there are."""
    _load()
    try:
        return _importers[entity]
    except KeyError:
        raise KeyError(f"Nothing imports '{entity}'; choose one of: {', '.join(_importers)}.") from None
