"""What every Lambda entry point does first at init: own the logs, then read its settings."""

from __future__ import annotations

import importlib
import random

from infra.logs import own_root_logger
from infra.secret_parameters import load_settings
from infra.settings import Settings


def start() -> Settings:
    """Make our JSON handler the root logger's only one, then load the settings with secrets.

    Logging comes first so that nothing the secret read logs reaches the runtime's handler.
    """
    own_root_logger(Settings().log_level)
    return load_settings()


def reseed_after_restore() -> None:
    """Under SnapStart every environment resumes from one snapshot, `random`'s state included;
    retry jitter must differ between them, so each reseeds from the OS once restored."""
    try:
        hooks = importlib.import_module("snapshot_restore_py")  # in Lambda's Python runtimes
    except ImportError:
        return
    hooks.register_after_restore(random.seed)
