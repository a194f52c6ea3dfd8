"""What every CLI handler gets: the parsed arguments, settings, output and a lazily built engine.

``app.main`` passes an engine factory (``app.wiring.build_engine``); the CLI itself never wires
adapters, which keeps ``app.cli`` above the services and below the composition root.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from app.cli.logs import use_data_dir
from app.cli.output import Output
from app.config import Settings, data_dir_of, default_config_path, load_settings
from app.domain.operator import Operator
from app.errors import ConfigError, InputError, SecondFactorNeeded
from app.messages import console_errors as errors

if TYPE_CHECKING:  # the services are imported when the engine is built, not to parse a command
    from app.services.engine import Engine
    from app.services.lookup import LookupEngine


class EngineFactory(Protocol):
    """Builds the engine from settings and data folder (``app.main`` passes
    ``app.main.EngineWhenNeeded``, the tests a function).

    A factory may also have ``expect_login(data_dir, code, password)``: called before the engine
    is built for a login, it starts the slow password check meanwhile (docs/performance.md), and
    ``lookup(settings, data_dir)``: the lighter :class:`LookupEngine` of a command that only
    identifies (without it such a command gets the full engine).
    """

    def __call__(self, settings: Settings, data_dir: Path, /) -> Engine:
        """The engine of ``data_dir``."""


OPERATOR_ENV = "SW_OPERATOR"
OPERATOR_PASSWORD_ENV = "SW_OPERATOR_PASSWORD"  # noqa: S105 - the variable's name, not a secret
SUPERVISOR_PASSWORD_ENV = "SW_SUPERVISOR_PASSWORD"  # noqa: S105 - the variable's name
OPERATOR_OTP_ENV = "SW_OPERATOR_OTP"
SUPERVISOR_OTP_ENV = "SW_SUPERVISOR_OTP"
T = TypeVar("T")


@dataclass
class CliContext:
    """Per-invocation context; :meth:`close` releases the engine."""

    args: argparse.Namespace
    engine_factory: EngineFactory | None
    out: Output
    _settings: Settings | None = field(default=None, init=False)
    _engine: Engine | None = field(default=None, init=False)
    _lookup: LookupEngine | None = field(default=None, init=False)

    def settings(self) -> Settings:
        """The validated settings from ``--config`` (or the default location)."""
        if self._settings is None:
            path = Path(self.args.config) if self.args.config else default_config_path()
            if not path.exists():
                raise ConfigError(
                    errors.NO_CONFIG_FILE(path=path),
                    detail={"key": "(file)"},
                )
            self._settings = load_settings(path)
        return self._settings

    def data_dir(self) -> Path:
        """``--data-dir``, else the configured or default data folder; private (0700) and holding
        this command's log."""
        settings = self.settings()
        return use_data_dir(data_dir_of(settings, self.args.data_dir), settings.log)

    def engine(self, *, recover: bool = True) -> Engine:
        """The engine, built on first use; recovery runs first unless ``recover`` is false."""
        if self._lookup is not None:  # one engine per command: a lookup engine was built already
            raise RuntimeError("this command built a lookup engine; it cannot also build another")
        if self._engine is None:
            if self.engine_factory is None:
                raise ConfigError("内部错误：未提供结算引擎。", detail={"key": "(engine)"})
            self._engine = self.engine_factory(self.settings(), self.data_dir())
            self._recover(self._engine, recover)
        return self._engine

    def lookup_engine(self, *, recover: bool = True) -> LookupEngine:
        """The engine of a command that only identifies (recovery, login, eligibility): the
        factory's lighter one when it has one, else the full engine; built on first use, recovery
        first unless ``recover`` is false."""
        if self._engine is not None:
            return self._engine
        if self._lookup is None:
            lookup = getattr(self.engine_factory, "lookup", None)
            if not callable(lookup):
                return self.engine(recover=recover)
            built: LookupEngine = lookup(self.settings(), self.data_dir())
            self._lookup = built
            self._recover(built, recover)
        return self._lookup

    def _recover(self, engine: LookupEngine, recover: bool) -> None:
        if recover:
            summary = engine.start(wait=False)
            if summary.examined:
                self.out.note(summary.text(self.out.language))

    def operator(self, *, lookup: bool = False) -> Operator:
        """The operator acting, logged in with the password from the environment or a prompt
        (``lookup``: on :meth:`lookup_engine`, for a command that only identifies)."""
        code = getattr(self.args, "operator", None) or os.environ.get(OPERATOR_ENV, "")
        if not code:
            raise InputError(errors.NO_OPERATOR(env=OPERATOR_ENV), code="usage")
        language = self.out.language
        prompt = errors.PROMPT_OPERATOR_PASSWORD(code=code).render(language)
        password = secret(OPERATOR_PASSWORD_ENV, prompt)
        expect_login = getattr(self.engine_factory, "expect_login", None)
        if self._engine is None and self._lookup is None and callable(expect_login):
            # The slow password check overlaps loading the engine (docs/performance.md).
            expect_login(self.data_dir(), code, password)
        engine = self.lookup_engine() if lookup else self.engine()
        return with_one_time_code(
            lambda otp: engine.login(code, password, otp),
            OPERATOR_OTP_ENV,
            errors.PROMPT_OPERATOR_OTP(code=code).render(language),
        )

    def close(self) -> None:
        """Release the engine if one was built."""
        for engine in (self._engine, self._lookup):
            if engine is not None:
                engine.close()
        self._engine = self._lookup = None


def with_one_time_code(call: Callable[[str], T], env_var: str, prompt: str) -> T:
    """``call(code)`` with the one-time code from ``env_var`` (or none); if the account turns out
    to need one (:class:`SecondFactorNeeded`, raised only after a right password), ask for it at a
    terminal and call again."""
    given = os.environ.get(env_var, "").strip()
    try:
        return call(given)
    except SecondFactorNeeded:
        if given:
            raise
        if not sys.stdin.isatty():
            raise InputError(
                errors.OTP_NEEDED(env=env_var),
                code="usage",
            ) from None
        return call(getpass.getpass(prompt).strip())


def secret(env_var: str, prompt: str) -> str:
    """A password from ``env_var``, else typed at a terminal (never echoed, never logged)."""
    value = os.environ.get(env_var)
    if value:
        return value
    if not sys.stdin.isatty():
        raise InputError(errors.PASSWORD_NEEDED(env=env_var), code="usage")
    return getpass.getpass(prompt)
