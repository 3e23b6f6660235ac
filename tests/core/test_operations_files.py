"""The deployment files and docs/operations.md (issue 32): every environment variable the code reads
is in the operations table; compose.yaml, the Dockerfile, the entry point and the systemd units
refer to things that exist. (No container runtime here: the files are parsed, not run.)"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands
from django.urls import resolve

from zhengwu.core import fonts

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
DEPLOY = ROOT / "deploy"
OPERATIONS = ROOT / "docs" / "operations.md"

# os.environ.get("X" …), os.environ["X"], os.getenv("X"), os.environ.setdefault("X" …), _env_bool("X" …),
# dj_database_url's env="X", the payment providers' "secret_env": "X".
ENV_READ = re.compile(
    r"""(?:environ(?:\.get|\.setdefault)?\(\s*|environ\[\s*|_env_bool\(\s*|getenv\(\s*|\benv=\s*|"secret_env":\s*)"""
    r"""["']((?:ZHENGWU_|PROMETHEUS_)[A-Z0-9_]+|DATABASE_URL|REDIS_URL)["']""")


def variables_read_by_the_code() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        for name in ENV_READ.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def documented_variables() -> set[str]:
    text = OPERATIONS.read_text(encoding="utf-8")
    table = text[text.index("## 7. Every setting"):]
    return set(re.findall(r"^\| `([A-Z0-9_]+)` \|", table, flags=re.M))


def test_the_scan_finds_the_variables_of_settings_and_of_other_modules():
    found = variables_read_by_the_code()
    # settings.py, a management command, an app module, the payment providers' table, dj_database_url.
    for name in ("ZHENGWU_PII_KEY", "ZHENGWU_HSTS_PRELOAD", "ZHENGWU_WORKERS", "ZHENGWU_KIOSK_RATE",
                 "ZHENGWU_PAY_BANK_SECRET", "DATABASE_URL", "REDIS_URL", "ZHENGWU_METRICS_ALLOW"):
        assert name in found, name
    assert len(found) >= 55


def test_every_environment_variable_is_in_the_operations_table():
    missing = {name: where for name, where in variables_read_by_the_code().items()
               if name not in documented_variables()}
    assert missing == {}, f"add these to the table in docs/operations.md: {missing}"


def test_every_variable_of_the_env_example_is_in_the_table():
    example = (DEPLOY / "zhengwu.env.example").read_text(encoding="utf-8")
    names = set(re.findall(r"^(ZHENGWU_[A-Z0-9_]+|DATABASE_URL|REDIS_URL)=", example, flags=re.M))
    assert {"ZHENGWU_SECRET_KEY", "ZHENGWU_PII_KEY", "ZHENGWU_AUDIT_KEY", "DATABASE_URL"} <= names
    assert names - documented_variables() == set()
    # No real key is shipped: every key is a placeholder.
    for key in ("ZHENGWU_SECRET_KEY", "ZHENGWU_PII_KEY", "ZHENGWU_AUDIT_KEY"):
        assert re.search(rf"^{key}=CHANGE_ME$", example, flags=re.M), key


def test_compose_file_has_the_services_volumes_and_env_file():
    yaml = pytest.importorskip("yaml")
    doc = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = doc["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker"}
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis")
    assert services["migrate"]["command"] == ["migrate"] and services["migrate"]["restart"] == "no"
    assert services["web"]["command"] == ["web"] and services["worker"]["command"] == ["worker"]
    for name in ("migrate", "web", "worker"):
        svc = services[name]
        assert svc["build"]["dockerfile"] == "deploy/Dockerfile"
        assert (DEPLOY / svc["build"]["context"] / svc["build"]["dockerfile"]).is_file()
        assert svc["env_file"] == ["zhengwu.env"]
        mounts = dict(v.split(":")[::-1] for v in svc["volumes"])
        assert mounts["/var/lib/zhengwu"] in doc["volumes"] and mounts["/srv/static"] in doc["volumes"]
        assert svc["environment"]["ZHENGWU_STATIC_ROOT"] == "/srv/static"
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["depends_on"]["db"] == {"condition": "service_healthy"}
    assert services["web"]["environment"]["ZHENGWU_WORKER"] == "off"
    assert all(p.startswith("127.0.0.1:") for p in services["web"]["ports"])
    assert services["worker"]["healthcheck"] == {"disable": True}
    # The env file compose names is made from the example.
    assert (DEPLOY / "zhengwu.env.example").is_file()


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_refers_to_what_exists():
    instructions = _dockerfile_instructions()
    froms = [rest for word, rest in instructions if word == "FROM"]
    assert len(froms) == 2 and froms[0].endswith("AS build")  # multi-stage
    assert any("python:3.11-slim" in rest for word, rest in instructions if word == "ARG")
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")}
    for word, rest in instructions:
        if word == "COPY" and "--from=" not in rest:
            *sources, _dest = rest.split()
            for source in sources:
                assert (ROOT / source).exists(), source
                assert source not in ignored and source.split("/")[0] not in ignored, source
    run = " ".join(rest for word, rest in instructions if word == "RUN")
    assert "pip install ." in run and "collectstatic" in run and "fonts-wqy-microhei" in run
    # The font the image installs is the one zhengwu.core.fonts looks for first.
    env = " ".join(rest for word, rest in instructions if word == "ENV")
    font = re.search(r"ZHENGWU_PDF_FONT=(\S+)", env).group(1)
    assert font == fonts.FONT_CANDIDATES[0] and "wqy-microhei" in font
    user = [rest for word, rest in instructions if word == "USER"]
    assert user and user[-1] not in ("root", "0")
    health = next(rest for word, rest in instructions if word == "HEALTHCHECK")
    assert "healthcheck" in health
    entry = (DEPLOY / "docker-entrypoint.sh").read_text(encoding="utf-8")
    assert resolve("/api/v1/live").view_name == "api:live" and "/api/v1/live" in entry
    assert any(word == "ENTRYPOINT" and "docker-entrypoint.sh" in rest for word, rest in instructions)


def test_entrypoint_roles_run_commands_that_exist():
    script = DEPLOY / "docker-entrypoint.sh"
    assert script.stat().st_mode & 0o111, "the entry point must be executable"
    assert subprocess.run(["sh", "-n", str(script)]).returncode == 0
    text = script.read_text(encoding="utf-8")
    commands = get_commands()
    for sub in re.findall(r"exec zhengwu (\w+)|^\s+zhengwu (\w+)", text, flags=re.M):
        name = next(s for s in sub if s)
        assert name in commands, name
    for role in ("web|serve)", "worker)", "migrate)", "healthcheck)"):
        assert role in text


def _unit(path: Path) -> dict[str, list[str]]:
    """A systemd unit as {"Section.Key": [values]} (keys such as Environment= repeat)."""
    out: dict[str, list[str]] = {}
    section = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        out.setdefault(f"{section}.{key}", []).append(value)
    return out


@pytest.mark.parametrize("name, command", [("zhengwu-web", "serve"), ("zhengwu-worker", "worker"),
                                           ("zhengwu-migrate", "migrate")])
def test_systemd_units(name, command):
    unit = _unit(DEPLOY / "systemd" / f"{name}.service")
    assert unit["Service.EnvironmentFile"] == ["/etc/zhengwu/zhengwu.env"]
    assert unit["Service.User"] == ["zhengwu"]
    argv = shlex.split(unit["Service.ExecStart"][0])
    assert argv[0].endswith("/bin/zhengwu") and argv[1] == command and command in get_commands()
    assert "Unit.Description" in unit
    if name != "zhengwu-migrate":
        assert "zhengwu-migrate.service" in " ".join(unit["Unit.After"])
        assert unit["Install.WantedBy"] == ["multi-user.target"]
    else:
        assert unit["Service.Type"] == ["oneshot"]
    environment = " ".join(unit.get("Service.Environment", []))
    if name == "zhengwu-web":
        assert "ZHENGWU_WORKER=off" in environment and "PROMETHEUS_MULTIPROC_DIR=" in environment


def test_readme_points_to_the_operations_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## 运维部署 (operations)"):]
    assert "docs/operations.md" in section.split("\n## ")[0]
