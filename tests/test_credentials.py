"""Credentials value object and the resolution chain (env, aliyun CLI file, INI)."""

from __future__ import annotations

import configparser
import json
import pickle
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from aiompsls.credentials import Credentials, _ini_problem, resolve_credentials
from aiompsls.errors import ConfigError, CredentialsError, MpslsError

KEY_ID = "LTAI5tTestKeyId0001"
SECRET = "SeCrEt-sentinel-a1b2c3"
TOKEN = "ToKeN-sentinel-d4e5f6"
SECRETS = (SECRET, TOKEN)

ENV_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ENV_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
ENV_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def cli_file(home: Path) -> Path:
    return home / ".aliyun" / "config.json"


def ini_file(home: Path) -> Path:
    return home / ".alibabacloud" / "credentials.ini"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def ak_profile(name: str, key_id: str = KEY_ID, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "mode": "AK",
        "access_key_id": key_id,
        "access_key_secret": SECRET,
        "sts_token": "",
        "region_id": "cn-hangzhou",
        **extra,
    }


def write_cli(home: Path, current: str | None, *profiles: dict[str, Any]) -> Path:
    config: dict[str, Any] = {"profiles": list(profiles)}
    if current is not None:
        config["current"] = current
    return write(cli_file(home), json.dumps(config))


INI_DEFAULT = f"""\
[default]
type = access_key
access_key_id = {KEY_ID}
access_key_secret = {SECRET}
"""

INI_STS = f"""\
[sts-profile]
type = sts
access_key_id = STS.{KEY_ID}
access_key_secret = {SECRET}
security_token = {TOKEN}
"""


def sts(key_id: str = KEY_ID) -> Credentials:
    return Credentials(
        access_key_id=key_id, access_key_secret=SECRET, security_token=TOKEN
    )


def ak(key_id: str = KEY_ID) -> Credentials:
    return Credentials(access_key_id=key_id, access_key_secret=SECRET)


def resolve(
    home: Path, environ: Mapping[str, str] | None = None, **kw: Any
) -> Credentials:
    return resolve_credentials(
        environ={} if environ is None else environ, home=home, **kw
    )


def error_of(call: Callable[[], object]) -> CredentialsError:
    with pytest.raises(CredentialsError) as info:
        call()
    return info.value


# --- the Credentials value ----------------------------------------------------------


def test_credentials_hold_the_values_and_default_to_no_token() -> None:
    creds = ak()
    assert (creds.access_key_id, creds.access_key_secret) == (KEY_ID, SECRET)
    assert creds.security_token is None


@pytest.mark.parametrize("render", [repr, str])
@pytest.mark.parametrize("creds", [ak(), sts()], ids=["ak", "sts"])
def test_repr_and_str_show_the_key_id_but_never_the_secret_or_token(
    creds: Credentials, render: Callable[[object], str]
) -> None:
    text = render(creds)
    assert KEY_ID in text
    assert SECRET not in text
    assert TOKEN not in text
    assert "access_key_secret='***'" in text


@pytest.mark.parametrize(
    ("creds", "shown"),
    [(ak(), "security_token=None"), (sts(), "security_token='***'")],
    ids=["ak", "sts"],
)
def test_repr_says_whether_a_token_is_present(creds: Credentials, shown: str) -> None:
    assert shown in repr(creds)


def test_credentials_are_frozen_and_keyword_only() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        ak().access_key_id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Credentials(KEY_ID, SECRET)  # type: ignore[call-arg]


def test_credentials_survive_pickling() -> None:
    assert pickle.loads(pickle.dumps(sts())) == sts()  # noqa: S301


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("access_key_id", "", "is empty"),
        ("access_key_id", " LTAI", "whitespace"),
        ("access_key_secret", "", "is empty"),
        ("access_key_secret", f"{SECRET}\n", "whitespace"),
        ("access_key_secret", f" {SECRET}", "whitespace"),
        ("access_key_secret", f"{SECRET}\x00x", "control characters"),
        ("access_key_secret", SECRET.encode(), "must be a string, not bytes"),
        ("security_token", "", "is empty"),
        ("security_token", f"{TOKEN}\t", "whitespace"),
        ("security_token", 42, "must be a string, not int"),
    ],
)
def test_invalid_values_raise_naming_the_field_never_the_value(
    field: str, value: object, problem: str
) -> None:
    values: dict[str, object] = {"access_key_id": KEY_ID, "access_key_secret": SECRET}
    values[field] = value
    exc = error_of(lambda: Credentials(**values))  # type: ignore[arg-type]
    assert str(exc).startswith(f"{field} ")
    assert problem in str(exc)
    assert_no_secret(exc)


def test_credentials_error_is_a_config_error() -> None:
    exc = error_of(lambda: Credentials(access_key_id="", access_key_secret=SECRET))
    assert isinstance(exc, ConfigError)
    assert isinstance(exc, MpslsError)


# --- environment variables ----------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({ENV_ID: KEY_ID, ENV_SECRET: SECRET}, ak()),
        ({ENV_ID: KEY_ID, ENV_SECRET: SECRET, ENV_TOKEN: TOKEN}, sts()),
        ({ENV_ID: KEY_ID, ENV_SECRET: SECRET, ENV_TOKEN: ""}, ak()),
    ],
    ids=["ak", "sts", "empty-token-ignored"],
)
def test_environment_variables_give_credentials(
    home: Path, environ: dict[str, str], expected: Credentials
) -> None:
    assert resolve(home, environ) == expected


def test_environment_wins_over_both_files(home: Path) -> None:
    write_cli(home, "default", ak_profile("default", key_id="FROM-CLI"))
    write(ini_file(home), INI_DEFAULT.replace(KEY_ID, "FROM-INI"))
    environ = {ENV_ID: KEY_ID, ENV_SECRET: SECRET, "ALIBABA_CLOUD_PROFILE": "default"}
    assert resolve(home, environ) == ak()


@pytest.mark.parametrize(
    ("environ", "missing", "present"),
    [
        ({ENV_ID: KEY_ID}, [ENV_SECRET], [ENV_ID]),
        ({ENV_SECRET: SECRET}, [ENV_ID], [ENV_SECRET]),
        ({ENV_ID: KEY_ID, ENV_SECRET: "", ENV_TOKEN: TOKEN}, [ENV_SECRET], [ENV_ID]),
        ({ENV_TOKEN: TOKEN}, [ENV_ID, ENV_SECRET], [ENV_TOKEN]),
    ],
)
def test_partial_environment_raises_naming_the_missing_variable(
    home: Path, environ: dict[str, str], missing: list[str], present: list[str]
) -> None:
    write(ini_file(home), INI_DEFAULT)  # a fallback exists but is not used
    message = str(error_of(lambda: resolve(home, environ)))
    assert f"{' and '.join(missing)} not set" in message
    assert all(name in message for name in present)


@pytest.mark.parametrize("name", [ENV_ID, ENV_SECRET, ENV_TOKEN])
def test_environment_value_with_whitespace_raises_naming_the_variable(
    home: Path, name: str
) -> None:
    environ = {ENV_ID: KEY_ID, ENV_SECRET: SECRET, ENV_TOKEN: TOKEN}
    environ[name] += " "
    exc = error_of(lambda: resolve(home, environ))
    assert f"environment variable {name} has leading or trailing whitespace" == str(exc)


def test_empty_environment_values_count_as_unset(home: Path) -> None:
    write(ini_file(home), INI_DEFAULT)
    assert resolve(home, {ENV_ID: "", ENV_SECRET: ""}) == ak()


def test_explicit_profile_skips_the_environment_even_when_partial(home: Path) -> None:
    write(ini_file(home), INI_STS)
    environ = {ENV_ID: "ENV-ID", ENV_SECRET: "env-secret", ENV_TOKEN: "t"}
    assert resolve(home, environ, profile="sts-profile") == sts(f"STS.{KEY_ID}")
    assert resolve(home, {ENV_ID: "ENV-ID"}, profile="sts-profile") == sts(
        f"STS.{KEY_ID}"
    )


# --- the aliyun CLI profile file ----------------------------------------------------


def test_cli_current_ak_profile_is_used(home: Path) -> None:
    write_cli(home, "dev", ak_profile("prod", key_id="PROD"), ak_profile("dev"))
    assert resolve(home) == ak()


def test_cli_sts_token_profile_gives_temporary_credentials(home: Path) -> None:
    write_cli(home, "t", ak_profile("t", mode="StsToken", sts_token=TOKEN))
    assert resolve(home) == sts()


def test_cli_mode_is_matched_case_insensitively_like_the_cli(home: Path) -> None:
    write_cli(home, "t", ak_profile("t", mode="ststoken", sts_token=TOKEN))
    assert resolve(home) == sts()


@pytest.mark.parametrize(
    ("environ", "kwargs"),
    [({}, {"profile": "prod"}), ({"ALIBABA_CLOUD_PROFILE": "prod"}, {})],
    ids=["argument", "ALIBABA_CLOUD_PROFILE"],
)
def test_cli_profile_is_chosen_by_argument_or_variable_over_current(
    home: Path, environ: dict[str, str], kwargs: dict[str, str]
) -> None:
    write_cli(home, "dev", ak_profile("dev", key_id="DEV"), ak_profile("prod"))
    assert resolve(home, environ, **kwargs) == ak()


def test_argument_wins_over_alibaba_cloud_profile(home: Path) -> None:
    write_cli(home, "dev", ak_profile("dev", key_id="DEV"), ak_profile("prod"))
    environ = {"ALIBABA_CLOUD_PROFILE": "dev"}
    assert resolve(home, environ, profile="prod") == ak()


def test_cli_file_wins_over_the_ini_file(home: Path) -> None:
    write_cli(home, "default", ak_profile("default"))
    write(ini_file(home), INI_DEFAULT.replace(KEY_ID, "FROM-INI"))
    assert resolve(home) == ak()


@pytest.mark.parametrize("mode", ["RamRoleArn", "EcsRamRole", "OIDC", "CloudSSO"])
def test_cli_unsupported_mode_raises_naming_mode_and_profile(
    home: Path, mode: str
) -> None:
    path = write_cli(home, "role", ak_profile("role", mode=mode))
    message = str(error_of(lambda: resolve(home)))
    assert f"mode {mode!r} is not supported" in message
    assert "profile 'role'" in message
    assert str(path) in message
    assert "AK, StsToken" in message


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"mode": ""}, "mode is missing"),
        ({"mode": None}, "mode is missing"),
        ({"access_key_secret": None}, "access_key_secret is missing"),
        ({"access_key_id": ""}, "access_key_id is empty"),
        ({"mode": "StsToken"}, "sts_token is empty"),
        ({"mode": "StsToken", "sts_token": None}, "sts_token is missing"),
        ({"access_key_secret": f"{SECRET} "}, "access_key_secret has leading"),
        ({"access_key_secret": 7}, "access_key_secret must be a string, not int"),
    ],
)
def test_cli_incomplete_profile_raises_naming_the_key(
    home: Path, changes: dict[str, Any], problem: str
) -> None:
    profile = ak_profile("p")
    profile.update(changes)
    profile = {key: value for key, value in profile.items() if value is not None}
    path = write_cli(home, "p", profile)
    exc = error_of(lambda: resolve(home))
    assert str(exc).startswith(f"{path} profile 'p': ")
    assert problem in str(exc)
    assert_no_secret(exc)


def test_cli_current_naming_a_missing_profile_is_an_error(home: Path) -> None:
    path = write_cli(home, "gone", ak_profile("other"))
    write(ini_file(home), INI_DEFAULT)
    message = str(error_of(lambda: resolve(home)))
    assert message == f"{path}: current profile 'gone' is not defined"


@pytest.mark.parametrize("current", [None, ""])
def test_cli_file_without_current_falls_through_to_ini(
    home: Path, current: str | None
) -> None:
    write_cli(home, current, ak_profile("default", key_id="FROM-CLI"))
    write(ini_file(home), INI_DEFAULT)
    assert resolve(home) == ak()


def test_requested_profile_missing_from_cli_file_is_read_from_ini(home: Path) -> None:
    write_cli(home, "default", ak_profile("default", key_id="FROM-CLI"))
    write(ini_file(home), INI_STS)
    assert resolve(home, profile="sts-profile") == sts(f"STS.{KEY_ID}")


@pytest.mark.parametrize("value", ["true", "TRUE", "True"])
def test_cli_file_can_be_disabled(home: Path, value: str) -> None:
    write_cli(home, "default", ak_profile("default", key_id="FROM-CLI"))
    write(ini_file(home), INI_DEFAULT)
    environ = {"ALIBABA_CLOUD_CLI_PROFILE_DISABLED": value}
    assert resolve(home, environ) == ak()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"current": "default", "profiles": [', "invalid JSON: Expecting value"),
        ("", "invalid JSON: Expecting value at line 1 column 1"),
        (f'{{"current": "p", "profiles": [{{"access_key_secret": "{SECRET}"', "JSON"),
        ("[]", "the top level must be a JSON object"),
        ('{"current": 1, "profiles": []}', "'current' must be a string"),
        ('{"current": "p", "profiles": {}}', "'profiles' must be a JSON array"),
        ('{"current": "p", "profiles": ["p"]}', "profiles[0] must be a JSON object"),
        (b"\xff\xfe\x00{", "not valid UTF-8 text"),
    ],
)
def test_malformed_cli_file_raises_naming_file_and_problem(
    home: Path, content: str | bytes, problem: str
) -> None:
    path = write(cli_file(home), content)
    exc = error_of(lambda: resolve(home))
    assert str(exc).startswith(f"{path}: ")
    assert problem in str(exc)
    assert_no_secret(exc)


def test_cli_file_with_a_byte_order_mark_is_read(home: Path) -> None:
    content = json.dumps({"current": "p", "profiles": [ak_profile("p")]})
    write(cli_file(home), "\ufeff" + content)
    assert resolve(home) == ak()


def test_unreadable_cli_file_raises_naming_it(home: Path) -> None:
    cli_file(home).mkdir(parents=True)  # a directory where the file should be
    message = str(error_of(lambda: resolve(home)))
    assert message.startswith(f"{cli_file(home)}: cannot read: ")


# --- the credentials.ini file -------------------------------------------------------


def test_ini_default_section_access_key(home: Path) -> None:
    write(ini_file(home), INI_DEFAULT)
    assert resolve(home) == ak()


@pytest.mark.parametrize(
    ("environ", "kwargs"),
    [({}, {"profile": "sts-profile"}), ({"ALIBABA_CLOUD_PROFILE": "sts-profile"}, {})],
    ids=["argument", "ALIBABA_CLOUD_PROFILE"],
)
def test_ini_sts_section_chosen_by_argument_or_variable(
    home: Path, environ: dict[str, str], kwargs: dict[str, str]
) -> None:
    write(ini_file(home), INI_DEFAULT + "\n" + INI_STS)
    assert resolve(home, environ, **kwargs) == sts(f"STS.{KEY_ID}")


def test_ini_path_can_be_overridden_by_variable(home: Path, tmp_path: Path) -> None:
    write(ini_file(home), INI_DEFAULT.replace(KEY_ID, "FROM-HOME"))
    other = write(tmp_path / "elsewhere.ini", INI_DEFAULT)
    environ = {"ALIBABA_CLOUD_CREDENTIALS_FILE": str(other)}
    assert resolve(home, environ) == ak()


def test_ini_override_naming_a_missing_file_is_an_error(
    home: Path, tmp_path: Path
) -> None:
    write(ini_file(home), INI_DEFAULT)
    missing = tmp_path / "missing.ini"
    environ = {"ALIBABA_CLOUD_CREDENTIALS_FILE": str(missing)}
    message = str(error_of(lambda: resolve(home, environ)))
    assert (
        message
        == f"ALIBABA_CLOUD_CREDENTIALS_FILE names {missing}, which does not exist"
    )


def test_ini_values_are_read_like_the_vendor_sdk(home: Path) -> None:
    # Inline "#" comments are cut and values stripped (alibabacloud_credentials);
    # "%" is literal (no interpolation); a byte order mark is tolerated.
    content = f"""\ufeff[default]
type = access_key   # long-term key
access_key_id = {KEY_ID}#comment
access_key_secret = {SECRET}%41
"""
    write(ini_file(home), content)
    assert resolve(home) == Credentials(
        access_key_id=KEY_ID, access_key_secret=SECRET + "%41"
    )


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ("type = ram_role_arn\n", "type 'ram_role_arn' is not supported"),
        (
            "type = ecs_ram_role\nrole_name = r\n",
            "type 'ecs_ram_role' is not supported",
        ),
        (f"access_key_id = {KEY_ID}\n", "type is missing"),
        ("type = access_key\naccess_key_id = x\n", "access_key_secret is missing"),
        (
            f"type = access_key\naccess_key_id =\naccess_key_secret = {SECRET}\n",
            "access_key_id is empty",
        ),
        (
            f"type = sts\naccess_key_id = a\naccess_key_secret = {SECRET}\n",
            "security_token is missing",
        ),
    ],
)
def test_ini_bad_section_raises_naming_file_section_and_key(
    home: Path, section: str, problem: str
) -> None:
    path = write(ini_file(home), "[default]\n" + section)
    exc = error_of(lambda: resolve(home))
    assert str(exc).startswith(f"{path} [default]: ")
    assert problem in str(exc)
    assert_no_secret(exc)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (f"access_key_secret = {SECRET}\n", "line 1: expected a [section] header"),
        (f"[default]\ntype = sts\n{SECRET}\n", "cannot parse line 3"),
        ("[default]\ntype = sts\n[default]\n", "line 3: section [default] repeated"),
        (
            f"[default]\naccess_key_secret = {SECRET}\naccess_key_secret = {SECRET}\n",
            "line 3: option 'access_key_secret' repeated in section [default]",
        ),
        (b"[default]\ntype = \xff\n", "not valid UTF-8 text"),
    ],
)
def test_malformed_ini_raises_naming_file_and_line_never_content(
    home: Path, content: str | bytes, problem: str
) -> None:
    path = write(ini_file(home), content)
    exc = error_of(lambda: resolve(home))
    assert str(exc).startswith(f"{path}: ")
    assert problem in str(exc)
    assert_no_secret(exc)


def test_unexpected_ini_errors_are_named_by_class_only() -> None:
    # read_string raises only the four errors handled above; this keeps the
    # message content-free should a future Python raise another one.
    assert _ini_problem(configparser.NoSectionError(SECRET)) == "NoSectionError"


def test_unreadable_ini_file_raises_naming_it(home: Path) -> None:
    ini_file(home).mkdir(parents=True)
    message = str(error_of(lambda: resolve(home)))
    assert message.startswith(f"{ini_file(home)}: cannot read: ")


# --- nothing found, profile not found, defaults ------------------------------------


def test_nothing_found_lists_every_place_looked(home: Path) -> None:
    message = str(error_of(lambda: resolve(home)))
    assert message.startswith("no credentials found; looked in: ")
    for part in (ENV_ID, ENV_SECRET, f"{cli_file(home)}: not found"):
        assert part in message
    assert f"{ini_file(home)}: not found" in message


def test_nothing_found_explains_a_disabled_cli_file_and_a_missing_section(
    home: Path,
) -> None:
    write_cli(home, "default", ak_profile("default"))
    write(ini_file(home), INI_STS)
    environ = {"ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true"}
    message = str(error_of(lambda: resolve(home, environ)))
    assert "skipped (ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true)" in message
    assert f"{ini_file(home)}: no [default] section" in message


def test_nothing_found_explains_a_cli_file_without_current_profile(home: Path) -> None:
    write_cli(home, None, ak_profile("default"))
    message = str(error_of(lambda: resolve(home)))
    assert f"{cli_file(home)}: no current profile" in message


def test_requested_profile_not_found_names_profile_and_files(home: Path) -> None:
    write_cli(home, "default", ak_profile("default"))
    write(ini_file(home), INI_DEFAULT)
    message = str(error_of(lambda: resolve(home, profile="staging")))
    assert message.startswith("profile 'staging' not found; looked in: ")
    assert f"{cli_file(home)}: no profile 'staging'" in message
    assert f"{ini_file(home)}: no [staging] section" in message


def test_profile_from_variable_not_found_says_where_the_name_came_from(
    home: Path,
) -> None:
    message = str(error_of(lambda: resolve(home, {"ALIBABA_CLOUD_PROFILE": "qa"})))
    assert message.startswith("profile 'qa' (from ALIBABA_CLOUD_PROFILE) not found")
    assert f"{cli_file(home)}: not found" in message
    assert f"{ini_file(home)}: not found" in message


@pytest.mark.parametrize(("name", "problem"), [("", "is empty"), (" p", "whitespace")])
def test_invalid_profile_argument_is_rejected(
    home: Path, name: str, problem: str
) -> None:
    message = str(error_of(lambda: resolve(home, profile=name)))
    assert message.startswith("profile name ")
    assert problem in message


def test_defaults_read_os_environ_and_home(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (ENV_ID, ENV_SECRET, ENV_TOKEN, "ALIBABA_CLOUD_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("ALIBABA_CLOUD_CREDENTIALS_FILE", raising=False)
    monkeypatch.delenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", raising=False)
    monkeypatch.setenv("HOME", str(home))
    write(ini_file(home), INI_DEFAULT)
    assert resolve_credentials() == ak()
    monkeypatch.setenv(ENV_ID, "FROM-ENV")
    monkeypatch.setenv(ENV_SECRET, SECRET)
    assert resolve_credentials() == ak("FROM-ENV")


def test_unknown_home_directory_is_a_credentials_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    message = str(error_of(lambda: resolve_credentials(environ={})))
    assert message.startswith("cannot locate the home directory")


# --- no secret ever leaks -----------------------------------------------------------


def assert_no_secret(exc: BaseException) -> None:
    """The rendered traceback, as a user would see it, holds no secret value."""
    rendered = "".join(traceback.format_exception(exc))
    for secret in SECRETS:
        assert secret not in rendered
        assert secret not in repr(exc)


def leak_env_partial(home: Path) -> dict[str, str]:
    return {ENV_SECRET: SECRET, ENV_TOKEN: TOKEN}


def leak_env_whitespace(home: Path) -> dict[str, str]:
    return {ENV_ID: KEY_ID, ENV_SECRET: f" {SECRET}"}


def leak_cli_bad_json(home: Path) -> dict[str, str]:
    write(cli_file(home), f'{{"profiles": [{{"access_key_secret": "{SECRET}" x')
    return {}


def leak_cli_unsupported(home: Path) -> dict[str, str]:
    write_cli(home, "r", ak_profile("r", mode="RamRoleArn", sts_token=TOKEN))
    return {}


def leak_cli_bad_token(home: Path) -> dict[str, str]:
    write_cli(home, "r", ak_profile("r", mode="StsToken", sts_token=f"{TOKEN} "))
    return {}


def leak_ini_bad_line(home: Path) -> dict[str, str]:
    write(ini_file(home), f"[default]\n{SECRET}\n{TOKEN}\n")
    return {}


def leak_ini_no_header(home: Path) -> dict[str, str]:
    write(ini_file(home), f"{SECRET} = {TOKEN}\n")
    return {}


def leak_ini_duplicate(home: Path) -> dict[str, str]:
    write(ini_file(home), f"[default]\nx = {SECRET}\nx = {TOKEN}\n")
    return {}


def leak_ini_bad_type(home: Path) -> dict[str, str]:
    write(ini_file(home), INI_STS.replace("type = sts", "type = oidc_role_arn"))
    return {"ALIBABA_CLOUD_PROFILE": "sts-profile"}


def leak_not_found(home: Path) -> dict[str, str]:
    write_cli(home, "s", ak_profile("s", mode="StsToken", sts_token=TOKEN))
    write(ini_file(home), INI_STS)
    return {"ALIBABA_CLOUD_PROFILE": "nope"}


@pytest.mark.parametrize(
    "setup",
    [
        leak_env_partial,
        leak_env_whitespace,
        leak_cli_bad_json,
        leak_cli_unsupported,
        leak_cli_bad_token,
        leak_ini_bad_line,
        leak_ini_no_header,
        leak_ini_duplicate,
        leak_ini_bad_type,
        leak_not_found,
    ],
)
def test_no_error_message_or_traceback_contains_a_secret(
    home: Path, setup: Callable[[Path], dict[str, str]]
) -> None:
    environ = setup(home)
    assert_no_secret(error_of(lambda: resolve(home, environ)))


def sts_from_env(home: Path) -> dict[str, str]:
    return {ENV_ID: KEY_ID, ENV_SECRET: SECRET, ENV_TOKEN: TOKEN}


def sts_from_ini(home: Path) -> dict[str, str]:
    write(ini_file(home), INI_STS)
    return {"ALIBABA_CLOUD_PROFILE": "sts-profile"}


def sts_from_cli(home: Path) -> dict[str, str]:
    write_cli(home, "s", ak_profile("s", mode="StsToken", sts_token=TOKEN))
    return {}


@pytest.mark.parametrize("setup", [sts_from_env, sts_from_ini, sts_from_cli])
def test_resolved_credentials_render_without_secrets(
    home: Path, setup: Callable[[Path], dict[str, str]]
) -> None:
    creds = resolve(home, setup(home))
    assert creds.security_token == TOKEN
    for text in (repr(creds), str(creds), f"{creds}"):
        assert SECRET not in text
        assert TOKEN not in text
