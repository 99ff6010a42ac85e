"""dependency-injector's containers and providers, without the integrations no function uses.

Importing `dependency_injector.containers` imports its `wiring` module, which imports FastAPI,
Starlette, werkzeug and fast-depends whenever they are installed, and `providers` imports
pydantic-settings (else pydantic) and PyYAML for `Configuration.from_pydantic`/`from_yaml`
(`containers` PyYAML too, for `from_yaml_schema`). The
container uses neither wiring nor those configuration loaders, and the stream consumer, the
reminder job and the webhook would pay ~0.5 s of cold start for them
(docs/decisions/152-dependency-injector-without-its-integrations.md). So `wiring` is bound
lazily (the real module loads on first use of any of its names), and the optional configuration
loaders are left out while `providers` loads.
"""

from __future__ import annotations

import importlib
import importlib.abc
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_WIRING = "dependency_injector.wiring"
# Imported only to offer Configuration.from_pydantic()/from_yaml() and from_yaml_schema().
_CONFIGURATION_LOADERS = ("pydantic_settings", "pydantic", "yaml")


def _real_wiring() -> types.ModuleType:
    if isinstance(sys.modules.get(_WIRING), _LazyWiring):
        del sys.modules[_WIRING]
    return importlib.import_module(_WIRING)


class _LazyWiring(types.ModuleType):
    """Stands in for `dependency_injector.wiring` until one of its names is used."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_real_wiring(), name)


def _wire(*args: Any, **kwargs: Any) -> Any:
    return _real_wiring().wire(*args, **kwargs)


def _unwire(*args: Any, **kwargs: Any) -> Any:
    return _real_wiring().unwire(*args, **kwargs)


class _Refuse(importlib.abc.MetaPathFinder):
    """Refuses to find `names`, as if they were not installed."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if fullname.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"{fullname} is left out here", name=fullname)


@contextmanager
def _absent(names: tuple[str, ...]) -> Iterator[None]:
    """Make `names` unimportable for the block, unless they are loaded already.

    A finder rather than `None` in sys.modules: Cython's import takes such a `None` as the module.
    """
    refuse = _Refuse(tuple(name for name in names if name not in sys.modules))
    sys.meta_path.insert(0, refuse)
    try:
        yield
    finally:
        sys.meta_path.remove(refuse)


def _load() -> None:
    if "dependency_injector.containers" not in sys.modules and _WIRING not in sys.modules:
        lazy = _LazyWiring(_WIRING)
        lazy.wire = _wire  # type: ignore[attr-defined]
        lazy.unwire = _unwire  # type: ignore[attr-defined]
        sys.modules[_WIRING] = lazy
    with _absent(_CONFIGURATION_LOADERS):
        importlib.import_module("dependency_injector.providers")
        importlib.import_module("dependency_injector.containers")


_load()

# Loaded above already; imported by name for the type checker.
from dependency_injector import containers, providers  # noqa: E402

__all__ = ["containers", "providers"]
