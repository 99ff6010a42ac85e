"""What every Lambda entry point does first at init: own the logs, then read its settings."""

from __future__ import annotations

from infra.logs import own_root_logger
from infra.secret_parameters import load_settings
from infra.settings import Settings


def start() -> Settings:
    """Make our JSON handler the root logger's only one, then load the settings with secrets.

    Logging comes first so that nothing the secret read logs reaches the runtime's handler.
    """
    own_root_logger(Settings().log_level)
    return load_settings()
