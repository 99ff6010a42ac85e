"""Settings read from environment variables with the standard library alone.

The subset of pydantic-settings' `BaseSettings` that `infra/settings.py` uses, so that the Lambda
functions read their configuration without importing pydantic (~150 ms of a cold start the
stream consumer, the reminder job and the webhook would otherwise pay for nothing;
docs/decisions/151-settings-without-pydantic-settings.md). Fields are declared as with pydantic:
an annotation and `Field(default=..., alias="ENV_NAME", pattern=..., ge=..., le=...)`.
Environment names match case-insensitively, as pydantic-settings matches them.
"""

from __future__ import annotations

import os
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, Literal, Self, Union


class SettingsError(ValueError):
    """A setting has a value its field does not accept; the message names the variable."""

    def __init__(self, variable: str, value: Any, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.value = value


class SecretStr:
    """A secret that stays out of reprs and logs; `get_secret_value()` gives it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretStr('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """How one setting is read: its variable, default and bounds."""

    default: Any
    alias: str
    pattern: str | None = None
    ge: float | None = None
    le: float | None = None


def Field(  # noqa: N802 (named like the pydantic function it stands in for)
    default: Any,
    *,
    alias: str,
    pattern: str | None = None,
    ge: float | None = None,
    le: float | None = None,
) -> Any:
    """Declare a setting read from the variable `alias` (see the module docstring)."""
    return FieldInfo(default, alias, pattern, ge, le)


SettingsConfigDict = dict


class BaseSettings:
    """Frozen settings: `Cls()` reads os.environ, `Cls.model_validate(mapping)` reads a mapping
    of variable names, `model_copy(update={field: value})` gives a changed copy."""

    model_config: ClassVar[dict[str, Any]] = {}
    _fields: ClassVar[dict[str, tuple[FieldInfo, Any]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        hints = typing.get_type_hints(cls)
        fields: dict[str, tuple[FieldInfo, Any]] = {}
        for name, value in list(vars(cls).items()):
            if isinstance(value, FieldInfo):
                fields[name] = (value, hints[name])
                delattr(cls, name)
        cls._fields = {**cls._fields, **fields}

    def __init__(self, **values: Any) -> None:
        """Settings from the environment, overridden by `values` (variable names as keys)."""
        self._load({**os.environ, **values})

    @classmethod
    def variables(cls) -> list[str]:
        """The environment variables the settings read, in declaration order."""
        return [info.alias for info, _kind in cls._fields.values()]

    @classmethod
    def model_validate(cls, values: Mapping[str, Any]) -> Self:
        """Settings from `values` (variable names as keys) alone; defaults for the rest."""
        settings = object.__new__(cls)
        settings._load(values)
        return settings

    def _load(self, source: Mapping[str, Any]) -> None:
        lowered = {key.lower(): value for key, value in source.items()}
        for name, (info, kind) in self._fields.items():
            raw = lowered.get(info.alias.lower(), info.default)
            object.__setattr__(self, name, _parse(info, kind, raw))

    def model_copy(self, *, update: Mapping[str, Any]) -> Self:
        copy = object.__new__(type(self))
        for name in self._fields:
            object.__setattr__(copy, name, update.get(name, getattr(self, name)))
        return copy

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"settings are frozen: cannot set {name}")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(
            getattr(self, name) == getattr(other, name) for name in self._fields
        )

    def __hash__(self) -> int:
        return hash(tuple(repr(getattr(self, name)) for name in self._fields))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({shown})"


def _parse(info: FieldInfo, kind: Any, raw: Any) -> Any:
    if raw is None:
        if _optional(kind):
            return None
        raise SettingsError(info.alias, raw, "a value is required")
    kind = _without_none(kind)
    try:
        value = _convert(kind, raw)
    except (TypeError, ValueError) as error:
        raise SettingsError(info.alias, raw, str(error)) from None
    if info.pattern is not None and not re.fullmatch(info.pattern, str(value)):
        raise SettingsError(info.alias, raw, f"{raw!r} does not match {info.pattern}")
    if info.ge is not None and value < info.ge:
        raise SettingsError(info.alias, raw, f"{raw!r} is below {info.ge}")
    if info.le is not None and value > info.le:
        raise SettingsError(info.alias, raw, f"{raw!r} is above {info.le}")
    return value


def _convert(kind: Any, raw: Any) -> Any:
    if typing.get_origin(kind) is Literal:
        literals = typing.get_args(kind)
        if raw not in literals:
            raise ValueError(f"{raw!r} is not one of {', '.join(map(str, literals))}")
        return raw
    if isinstance(raw, kind):
        return raw
    if kind is SecretStr:
        return SecretStr(str(raw))
    if kind is bool:
        return _boolean(raw)
    if isinstance(kind, type) and issubclass(kind, Enum):
        try:
            return kind(raw)
        except ValueError:
            allowed = ", ".join(str(member.value) for member in kind)
            raise ValueError(f"{raw!r} is not one of {allowed}") from None
    if kind in (int, float):
        return kind(str(raw).strip())
    if kind is str:
        return str(raw)
    raise TypeError(f"settings of type {kind!r} are not supported")


def _boolean(raw: Any) -> bool:
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{raw!r} is not a boolean")


def _optional(kind: Any) -> bool:
    return typing.get_origin(kind) in (Union, types.UnionType) and type(None) in typing.get_args(
        kind
    )


def _without_none(kind: Any) -> Any:
    if not _optional(kind):
        return kind
    (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
    return inner
