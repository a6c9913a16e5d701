"""Access-key credentials and the chain that finds them.

The chain reads the environment, the aliyun CLI profile file and the Alibaba Cloud
``credentials.ini``, in that order. Imports: stdlib, attrs and ``aiompsls.errors``.
"""

from __future__ import annotations

import configparser
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from aiompsls.errors import CredentialsError

__all__ = ["Credentials", "resolve_credentials"]

_ENV_ID: Final = "ALIBABA_CLOUD_ACCESS_KEY_ID"
_ENV_SECRET: Final = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"  # noqa: S105 (a name, not a secret)
_ENV_TOKEN: Final = "ALIBABA_CLOUD_SECURITY_TOKEN"  # noqa: S105 (a name, not a secret)
_ENV_PROFILE: Final = "ALIBABA_CLOUD_PROFILE"
_ENV_INI_FILE: Final = "ALIBABA_CLOUD_CREDENTIALS_FILE"
_ENV_CLI_DISABLED: Final = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED"
_CLI_MODES: Final = {"ak": "AK", "ststoken": "StsToken"}
_INI_TYPES: Final = ("access_key", "sts")


def _problem(value: object) -> str | None:
    """Say what is wrong with a credential string, without ever quoting it."""
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    if not value:
        return "is empty"
    if value != value.strip():
        return "has leading or trailing whitespace"
    if not value.isprintable():
        return "contains control characters"
    return None


def _check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "security_token":
        return
    problem = _problem(value)
    if problem is not None:
        raise CredentialsError(f"{attribute.name} {problem}")


def _redacted(value: str | None) -> str:
    return "None" if value is None else "'***'"


@attrs.frozen(kw_only=True)
class Credentials:
    """An access key pair, plus the security token of temporary (STS) credentials.

    The repr shows the access key id only; the secret and the token are masked.

    Attributes:
        access_key_id: The AccessKey ID (not secret; it appears in every request).
        access_key_secret: The AccessKey secret, used only as the signing key.
        security_token: The STS security token, or None for long-term keys.

    Raises:
        CredentialsError: A value is not a non-empty string without surrounding
            whitespace or control characters. The message names the field only.
    """

    access_key_id: str = attrs.field(validator=_check)
    access_key_secret: str = attrs.field(validator=_check, repr=_redacted)
    security_token: str | None = attrs.field(
        default=None, validator=_check, repr=_redacted
    )


def resolve_credentials(
    *,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> Credentials:
    """Find credentials the way the Alibaba Cloud SDKs and the aliyun CLI do.

    The sources, first match wins:

    1. ``ALIBABA_CLOUD_ACCESS_KEY_ID`` and ``ALIBABA_CLOUD_ACCESS_KEY_SECRET`` (with
       ``ALIBABA_CLOUD_SECURITY_TOKEN`` for STS), skipped when ``profile`` is given.
    2. The aliyun CLI file ``~/.aliyun/config.json``: the profile named by ``profile``,
       else by ``ALIBABA_CLOUD_PROFILE``, else the file's ``current`` one; modes ``AK``
       and ``StsToken``. ``ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`` skips the file.
    3. ``~/.alibabacloud/credentials.ini`` (or ``ALIBABA_CLOUD_CREDENTIALS_FILE``): the
       section named by ``profile``, else ``ALIBABA_CLOUD_PROFILE``, else ``default``;
       types ``access_key`` and ``sts``.

    Args:
        profile: The profile to use; setting it skips the environment variables.
        environ: The environment to read; defaults to ``os.environ``.
        home: The home directory holding the files; defaults to ``Path.home()``.

    Returns:
        The first credentials found.

    Raises:
        CredentialsError: Nothing was found (the message lists where it looked), the
            requested profile does not exist, a variable pair is incomplete, or a file
            is unreadable, malformed or uses an unsupported mode or type. Messages
            never contain secret values.
    """
    env = os.environ if environ is None else environ
    if profile is None:
        found = _from_environment(env)
        if found is not None:
            return found
    elif (problem := _problem(profile)) is not None:
        raise CredentialsError(f"profile name {problem}")
    wanted = profile or env.get(_ENV_PROFILE) or None
    base = _home(home)
    misses: list[str] = [f"environment variables {_ENV_ID} and {_ENV_SECRET}: not set"]
    for source in (_from_cli_file, _from_ini_file):
        result = source(env, base, wanted)
        if isinstance(result, Credentials):
            return result
        misses.append(result)
    if wanted is not None:
        origin = "" if profile is not None else f" (from {_ENV_PROFILE})"
        raise CredentialsError(
            f"profile {wanted!r}{origin} not found; looked in: " + "; ".join(misses[1:])
        )
    raise CredentialsError("no credentials found; looked in: " + "; ".join(misses))


def _home(home: Path | None) -> Path:
    if home is not None:
        return home
    try:
        return Path.home()
    except RuntimeError as exc:
        raise CredentialsError(f"cannot locate the home directory: {exc}") from exc


def _from_environment(env: Mapping[str, str]) -> Credentials | None:
    """Read the variable triple; all unset means "not here", partial is an error."""
    values = {
        name: env.get(name) or None for name in (_ENV_ID, _ENV_SECRET, _ENV_TOKEN)
    }
    if not any(values.values()):
        return None
    missing = [name for name in (_ENV_ID, _ENV_SECRET) if values[name] is None]
    if missing:
        present = [name for name, value in values.items() if value is not None]
        raise CredentialsError(
            f"{' and '.join(missing)} not set in the environment, "
            f"but {' and '.join(present)} set"
        )
    where = "environment variable "
    return Credentials(
        access_key_id=_require(env, _ENV_ID, where),
        access_key_secret=_require(env, _ENV_SECRET, where),
        security_token=_require(env, _ENV_TOKEN, where) if values[_ENV_TOKEN] else None,
    )


def _require(data: Mapping[str, object], key: str, where: str) -> str:
    """Return ``data[key]`` if it is a usable credential string; name only the key."""
    value = data.get(key)
    if value is None:
        raise CredentialsError(f"{where}{key} is missing")
    problem = _problem(value)
    if problem is not None or not isinstance(value, str):
        raise CredentialsError(f"{where}{key} {problem}")
    return value


# --- the aliyun CLI profile file (~/.aliyun/config.json) -------------------------


def _from_cli_file(
    env: Mapping[str, str], home: Path, wanted: str | None
) -> Credentials | str:
    """Credentials from the aliyun CLI file, or why it had none."""
    path = home / ".aliyun" / "config.json"
    if env.get(_ENV_CLI_DISABLED, "").lower() == "true":
        return f"{path}: skipped ({_ENV_CLI_DISABLED}=true)"
    config = _load_json(path)
    if config is None:
        return f"{path}: not found"
    current, profiles = _cli_structure(config, path)
    name = wanted or current
    if not name:
        return f"{path}: no current profile"
    for entry in profiles:
        if entry.get("name") == name:
            return _cli_profile(entry, f"{path} profile {name!r}: ")
    if wanted is None:
        raise CredentialsError(f"{path}: current profile {name!r} is not defined")
    return f"{path}: no profile {name!r}"


def _read_text(path: Path) -> str | None:
    """The file's text (a UTF-8 BOM dropped), or None when it does not exist."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise CredentialsError(f"{path}: not valid UTF-8 text") from None
    except OSError as exc:
        raise CredentialsError(f"{path}: cannot read: {exc.strerror}") from exc


def _load_json(path: Path) -> object:
    """The parsed file, or None when it does not exist."""
    text = _read_text(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # ``from None``: the chained error keeps the whole document in ``exc.doc``.
        raise CredentialsError(
            f"{path}: invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None


def _cli_structure(
    config: object, path: Path
) -> tuple[str | None, list[Mapping[str, object]]]:
    """Check the file's shape and return its ``current`` name and its profiles."""
    if not isinstance(config, dict):
        raise CredentialsError(f"{path}: the top level must be a JSON object")
    current = config.get("current")
    if current is not None and not isinstance(current, str):
        raise CredentialsError(f"{path}: 'current' must be a string")
    profiles = config.get("profiles", [])
    if not isinstance(profiles, list):
        raise CredentialsError(f"{path}: 'profiles' must be a JSON array")
    for index, entry in enumerate(profiles):
        if not isinstance(entry, dict):
            raise CredentialsError(f"{path}: profiles[{index}] must be a JSON object")
    return current, profiles


def _key_pair(
    values: Mapping[str, object], where: str, token_key: str | None
) -> Credentials:
    """Credentials from a profile's key id, secret and, when named, token."""
    return Credentials(
        access_key_id=_require(values, "access_key_id", where),
        access_key_secret=_require(values, "access_key_secret", where),
        security_token=_require(values, token_key, where) if token_key else None,
    )


def _cli_profile(entry: Mapping[str, object], where: str) -> Credentials:
    raw_mode = entry.get("mode")
    if not isinstance(raw_mode, str) or not raw_mode:
        raise CredentialsError(f"{where}mode is missing (profile not configured)")
    mode = _CLI_MODES.get(raw_mode.lower())
    if mode is None:
        raise CredentialsError(
            f"{where}mode {raw_mode!r} is not supported by aiompsls "
            f"(supported: {', '.join(_CLI_MODES.values())})"
        )
    return _key_pair(entry, where, "sts_token" if mode == "StsToken" else None)


# --- the shared credentials file (~/.alibabacloud/credentials.ini) ---------------


def _from_ini_file(
    env: Mapping[str, str], home: Path, wanted: str | None
) -> Credentials | str:
    """Credentials from ``credentials.ini``, or why it had none."""
    override = env.get(_ENV_INI_FILE) or None
    path = Path(override) if override else home / ".alibabacloud" / "credentials.ini"
    parser = _load_ini(path)
    if parser is None:
        if override:
            raise CredentialsError(
                f"{_ENV_INI_FILE} names {path}, which does not exist"
            )
        return f"{path}: not found"
    section = wanted or "default"
    if not parser.has_section(section):
        return f"{path}: no [{section}] section"
    values = {key: raw.split("#", 1)[0].strip() for key, raw in parser.items(section)}
    return _ini_section(values, f"{path} [{section}]: ")


def _load_ini(path: Path) -> configparser.ConfigParser | None:
    """The parsed file, or None when it does not exist."""
    text = _read_text(path)
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        # ``from None``: configparser messages quote the offending line verbatim.
        raise CredentialsError(f"{path}: invalid INI: {_ini_problem(exc)}") from None
    return parser


def _ini_problem(exc: configparser.Error) -> str:
    """Describe a configparser error by line numbers and names, never by content."""
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return f"line {exc.lineno}: expected a [section] header"
    if isinstance(exc, configparser.ParsingError):
        lines = ", ".join(str(lineno) for lineno, _ in exc.errors)
        return f"cannot parse line {lines}"
    if isinstance(exc, configparser.DuplicateOptionError):
        return (
            f"line {exc.lineno}: option {exc.option!r} repeated"
            f" in section [{exc.section}]"
        )
    if isinstance(exc, configparser.DuplicateSectionError):
        return f"line {exc.lineno}: section [{exc.section}] repeated"
    return type(exc).__name__


def _ini_section(values: Mapping[str, str], where: str) -> Credentials:
    kind = values.get("type")
    if not kind:
        raise CredentialsError(f"{where}type is missing")
    if kind not in _INI_TYPES:
        raise CredentialsError(
            f"{where}type {kind!r} is not supported by aiompsls "
            f"(supported: {', '.join(_INI_TYPES)})"
        )
    return _key_pair(values, where, "security_token" if kind == "sts" else None)
