"""The README's commands and examples, run as written, on a fresh virtual environment with no
provider key: what a new user sees in the first ten minutes.

The venv is created with `--system-site-packages` and `pip install .` runs in a copy of this
checkout: pip builds and installs benchroute itself from the clone (its dependencies are already
satisfied by the test environment), which keeps this test near 20 s instead of the ~50 s and ~50
downloads of a full install. The venv's own site-packages come first on sys.path, so the installed
copy, not the source tree, is what runs (asserted). PYTHONPATH and every provider key variable are
removed from the environment. Deviations from "as written", each because a test must not take a
fixed port: the gateway listens on a free port (BENCHROUTE_SERVER__PORT), substituted for 8080 in
the examples; the printed key is substituted for `br-...`.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchroute.providers.registry import BUILTIN_PROVIDERS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def section_block(heading: str, lang: str) -> str:
    section = README.split(heading, 1)[1]
    found = re.search(rf"```{lang}\n(.*?)```", section, flags=re.S)
    assert found, f"no {lang} block after {heading!r}"
    return found.group(1)


def clean_env(venv: Path, home: Path) -> dict[str, str]:
    drop = {s.api_key_env for s in BUILTIN_PROVIDERS if s.api_key_env} | {"PYTHONPATH", "BENCHROUTE_CONFIG"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("BENCHROUTE_")}
    env.update(PATH=f"{venv / 'bin'}:{env.get('PATH', '')}", BENCHROUTE_HOME=str(home), VIRTUAL_ENV=str(venv))
    return env


@dataclass
class Install:
    venv: Path
    clone: Path
    env: dict[str, str]

    def sh(self, command: str, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", command],
            cwd=self.clone,
            env={**self.env, **extra},
            capture_output=True,
            text=True,
            timeout=timeout,
        )


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> Install:
    base = tmp_path_factory.mktemp("readme")
    clone = base / "clone"
    clone.mkdir()
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in files:
        src = ROOT / name
        if src.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            (clone / name).write_bytes(src.read_bytes())
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    home = base / "home"
    home.mkdir()
    inst = Install(venv, clone, clean_env(venv, home))
    first = blocks("bash")[0]
    install_line = next(line for line in first.splitlines() if line.startswith("pip install ."))
    assert install_line == "pip install . && benchroute serve"
    done = inst.sh(install_line.split(" && ")[0] + " --quiet --disable-pip-version-check", timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    where = inst.sh("python -c 'import benchroute; print(benchroute.__file__)'").stdout
    assert where.startswith(str(venv)), where
    return inst


@dataclass
class Served:
    proc: subprocess.Popen[str]
    banner: str
    key: str
    port: int

    def request(self, method: str, path: str, body: object = None) -> tuple[int, str]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        req.add_header("authorization", f"Bearer {self.key}")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


def start_serve(install: Install, **extra: str) -> tuple[subprocess.Popen[str], str, int]:
    port = free_port()
    serve = blocks("bash")[0].splitlines()[2].split(" && ")[1]  # "benchroute serve", as written
    proc = subprocess.Popen(
        ["bash", "-c", f"exec {serve}"],
        cwd=install.clone,
        env={**install.env, "BENCHROUTE_SERVER__PORT": str(port), **extra},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    seen = ""
    while "stop with Ctrl+C" not in seen:  # the banner's last line: the gateway is serving
        line = proc.stdout.readline()
        if not line:
            proc.wait(10)
            raise AssertionError(f"serve exited ({proc.returncode}):\n{seen}")
        seen += line
    return proc, seen, port


@pytest.fixture(scope="module")
def served(install: Install) -> Iterator[Served]:
    proc, banner, port = start_serve(install)
    try:
        key = re.search(r"\n    (br-\S+)\n", banner)
        assert key, banner
        yield Served(proc, banner, key.group(1), port)
    finally:
        proc.terminate()
        proc.wait(30)


def test_first_serve_prints_the_key_and_what_it_cannot_call(served: Served) -> None:
    assert (
        "export BENCHROUTE_BASE_URL=" in served.banner
        and f'BENCHROUTE_API_KEY="{served.key}"' in served.banner
    )
    assert "0 callable here" in served.banner
    for tier in ("auto/efficient", "auto/balanced", "auto/frontier", "auto/free"):
        assert f"{tier:<15} CANNOT ROUTE" in served.banner
    assert "OPENAI_API_KEY is not set" in served.banner and "OPENROUTER_API_KEY is not set" in served.banner
    assert "benchroute doctor" in served.banner


def test_use_it_curl_answers_503_naming_the_keys(install: Install, served: Served) -> None:
    block = (
        section_block("## Use it", "bash").replace("br-...", served.key).replace(":8080", f":{served.port}")
    )
    out = install.sh(block)
    assert out.returncode == 0, out.stderr
    error = json.loads(out.stdout)["error"]
    assert error["code"] == "no_callable_model" and error["type"] == "service_unavailable"
    assert "OPENAI_API_KEY" in error["message"] and "benchroute doctor" in error["message"]
    body = json.loads(block.split("-d '", 1)[1].rsplit("'", 1)[0])
    status, _ = served.request("POST", "/v1/chat/completions", body)
    assert status == 503


def test_manual_model_without_key_is_400_and_models_lists_only_callable(served: Served) -> None:
    body = {"model": "openai/gpt-4.1-mini", "messages": [{"role": "user", "content": "hi"}]}
    status, text = served.request("POST", "/v1/chat/completions", body)
    assert status == 400 and json.loads(text)["error"]["code"] == "provider_key_missing"
    assert "OPENAI_API_KEY" in text
    status, text = served.request("GET", "/v1/models")
    assert status == 200 and [m["id"] for m in json.loads(text)["data"]] == [
        "auto/efficient",
        "auto/balanced",
        "auto/frontier",
        "auto/free",
    ]
    status, page = served.request("GET", "/")
    assert status == 200 and 'href="/dashboard"' in page and 'href="/leaderboard"' in page


def test_openai_sdk_example_uses_the_gateway_variables(install: Install, served: Served) -> None:
    snippet = section_block("From the OpenAI SDK", "python")
    script = snippet + "print(sorted(m.id for m in client.models.list()))\n"
    base = f"http://127.0.0.1:{served.port}/v1"
    out = install.sh(
        f"python - <<'EOF'\n{script}EOF", BENCHROUTE_BASE_URL=base, BENCHROUTE_API_KEY=served.key
    )
    assert out.returncode == 0, out.stderr
    assert "auto/efficient" in out.stdout and "openai/" not in out.stdout


def test_usage_shows_the_failed_requests(install: Install, served: Served) -> None:
    out = install.sh("benchroute usage", COLUMNS="80")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:3] == ["model", "reqs", "err"] and max(map(len, lines)) <= 80
    total = next(line for line in lines if line.startswith("total")).split()
    assert int(total[1]) >= 2 and total[1] == total[2]  # every request so far failed, and says so


def test_doctor_and_models_and_route_as_written(install: Install) -> None:
    doctor = install.sh("benchroute doctor")
    assert doctor.returncode == 1 and "OPENAI_API_KEY is not set" in doctor.stdout
    assert "cannot route" in doctor.stdout
    models = install.sh("benchroute models")
    assert models.returncode == 0 and max(map(len, models.stdout.splitlines())) <= 80
    assert "0 callable here" in models.stdout
    route = next(
        line for b in blocks("bash") for line in b.splitlines() if line.startswith("benchroute route")
    )
    decided = install.sh(route.split("   #")[0])
    assert decided.returncode == 0, decided.stderr
    decision = json.loads(decided.stdout)
    assert decision["requested_model"] == "auto" and decision["callable_here"] is False
    assert decision["gateway_would_pick"] is None  # no key: the gateway could not route it


def test_a_gateway_key_in_openai_api_key_is_ignored_with_a_warning(install: Install, served: Served) -> None:
    proc, banner, _ = start_serve(install, OPENAI_API_KEY=served.key)
    try:
        assert "WARNING: OPENAI_API_KEY holds a benchroute gateway key" in banner
        assert "openai      OPENAI_API_KEY holds a benchroute gateway key" in banner
        assert served.key not in banner.split("WARNING", 1)[1]
    finally:
        proc.terminate()
        proc.wait(30)


def test_python_snippet_works_with_no_key(install: Install) -> None:
    snippet = next(b for b in blocks("python") if "Router.default()" in b)
    out = install.sh(f"python - <<'EOF'\n{snippet}EOF")
    assert out.returncode == 0, out.stderr[-1500:]
    assert "/" in out.stdout.split()[0] and "key" in out.stdout.lower()
