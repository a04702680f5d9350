"""Command tasks (team-written generators): run the project's scripts to produce an effect that
cannot be guessed (a hash of per-task values). easy = one named script, save its output; medium =
a build script whose arguments and environment must be read from it; hard = a three-step
pipeline run in the right order, with a key to find and a directory to create."""

from __future__ import annotations

import hashlib
import json
import random

from benchroute.bench.tasks import Task

from .agent_lang import Lang
from .agent_repo import TEAM, agent_task

PROFILES = ("release", "staging", "debug", "canary", "nightly")
REGIONS = ("eu-west", "us-east", "ap-south", "sa-east", "eu-north")


def sha(text: str, n: int = 16) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def _py_or_js(lang: Lang, py: str, js: str) -> str:
    return py if lang.name == "python" else js


def _gen(lang: Lang, seed: str) -> str:
    return _py_or_js(
        lang,
        f"import hashlib\n\nprint(hashlib.sha256({seed!r}.encode()).hexdigest()[:16])\n",
        f"const crypto = require('crypto');\nconsole.log(crypto.createHash('sha256').update({seed!r}).digest('hex').slice(0, 16));\n",  # noqa: E501
    )


def _build(lang: Lang, seed: str) -> str:
    py = f"""import argparse, hashlib, json, os, sys

parser = argparse.ArgumentParser(description="Build the project.")
parser.add_argument("--profile", required=True, help="one of: {", ".join(PROFILES)}")
args = parser.parse_args()
region = os.environ.get("BUILD_REGION")
if not region:
    sys.exit("error: set BUILD_REGION (the deployment region)")
os.makedirs("dist", exist_ok=True)
token = hashlib.sha256(({seed!r} + args.profile + region).encode()).hexdigest()[:16]
json.dump({{"profile": args.profile, "region": region, "token": token}}, open("dist/manifest.json", "w"))
print("built", args.profile, "for", region)
"""
    js = f"""const crypto = require('crypto');
const fs = require('fs');
const i = process.argv.indexOf('--profile');
if (i < 0 || !process.argv[i + 1]) {{ console.error('usage: node tools/build.js --profile\
 <{"|".join(PROFILES)}>'); process.exit(2); }}
const profile = process.argv[i + 1];
const region = process.env.BUILD_REGION;
if (!region) {{ console.error('error: set BUILD_REGION (the deployment region)'); process.exit(2); }}
fs.mkdirSync('dist', {{ recursive: true }});
const token = crypto.createHash('sha256').update({seed!r} + profile + region).digest('hex').slice(0, 16);
fs.writeFileSync('dist/manifest.json', JSON.stringify({{ profile, region, token }}));
console.log('built', profile, 'for', region);
"""
    return _py_or_js(lang, py, js)


def _pipeline(lang: Lang, seed: str, key: str) -> dict[str, str]:
    run = "python tools/{}.py" if lang.name == "python" else "node tools/{}.js"
    if lang.name == "python":
        fetch = f"""import hashlib, os, sys
key = os.environ.get("PIPELINE_KEY")
if key is None:
    sys.exit("PIPELINE_KEY is not set (the key is in config/pipeline.ini)")
open("work/raw.txt", "w").write(hashlib.sha256(({seed!r} + key).encode()).hexdigest()[:24])
"""
        clean = 'open("work/clean.txt", "w").write(open("work/raw.txt").read().strip().upper()[::-1])\n'
        report = """import configparser, hashlib
cfg = configparser.ConfigParser(); cfg.read("config/pipeline.ini")
clean = open("work/clean.txt").read()
open("report.txt", "w").write(hashlib.sha256((clean + cfg["report"]["salt"]).encode()).hexdigest()[:16])
"""
    else:
        fetch = f"""const crypto = require('crypto'); const fs = require('fs');
const key = process.env.PIPELINE_KEY;
if (key === undefined) {{ console.error('PIPELINE_KEY is not set (the key is in\
 config/pipeline.ini)'); process.exit(1); }}
fs.writeFileSync('work/raw.txt', crypto.createHash('sha256').update({seed!r} +\
 key).digest('hex').slice(0, 24));
"""
        clean = """const fs = require('fs');
fs.writeFileSync('work/clean.txt', fs.readFileSync('work/raw.txt',\
 'utf8').trim().toUpperCase().split('').reverse().join(''));
"""
        report = """const crypto = require('crypto'); const fs = require('fs');
const salt = /salt\\s*=\\s*(\\S+)/.exec(fs.readFileSync('config/pipeline.ini', 'utf8'))[1];
const clean = fs.readFileSync('work/clean.txt', 'utf8');
fs.writeFileSync('report.txt', crypto.createHash('sha256').update(clean + salt).digest('hex').slice(0, 16));
"""
    ext = ".py" if lang.name == "python" else ".js"
    return {
        f"tools/fetch{ext}": fetch,
        f"tools/normalise{ext}": clean,
        f"tools/report{ext}": report,
        "config/pipeline.ini": f"[fetch]\nkey = {key}\n\n[report]\nsalt = {sha(seed + 'salt', 8)}\n",
        "PIPELINE.md": "# Report pipeline\n\nSteps (each reads the previous step's output from `work/`, "
        "which must exist):\n\n"
        f"- `{run.format('report')}`: writes `report.txt` from `work/clean.txt`\n"
        f"- `{run.format('fetch')}`: writes `work/raw.txt`\n"
        f"- `{run.format('normalise')}`: writes `work/clean.txt` from `work/raw.txt`\n",
    }


def command(lang: Lang, difficulty: str, rng: random.Random, i: int) -> Task:
    seed = f"{lang.short}-{difficulty}-{i}-{rng.randrange(10**9)}"
    ext = ".py" if lang.name == "python" else ".js"
    runner = "python" if lang.name == "python" else "node"
    if difficulty == "easy":
        out = rng.choice(("out.txt", "result.txt", "token.txt", "build/id.txt"))
        files = {f"tools/gen{ext}": _gen(lang, seed), "README.md": "# tools\n"}
        instruction = (
            f"Run `{runner} tools/gen{ext}` and save exactly what it prints (one line) into `{out}`."
        )
        grader = {"kind": "file", "path": out, "equals": sha(seed)}
        reference = {"files": {out: sha(seed) + "\n"}}
        hidden: dict[str, str] = {}
    elif difficulty == "medium":
        profile, region = rng.choice(PROFILES), rng.choice(REGIONS)
        files = {
            f"tools/build{ext}": _build(lang, seed),
            "README.md": "# project\n\nBuilt by the script in `tools/`.\n",
        }
        instruction = (
            f"Build the project for the `{profile}` profile in the `{region}` region with its build script "
            "(in `tools/`); it writes `dist/manifest.json`. Leave that file in place."
        )
        want = {"profile": profile, "region": region, "token": sha(seed + profile + region)}
        hidden = {".grade/check_cmd.py": _json_check("dist/manifest.json", want)}
        grader = {"kind": "command", "argv": ["python", ".grade/check_cmd.py"]}
        reference = {"files": {"dist/manifest.json": json.dumps(want)}}
    else:
        key = sha(seed + "key", 10)
        files = _pipeline(lang, seed, key)
        raw = sha(seed + key, 24)
        clean = raw.upper()[::-1]
        token = sha(clean + sha(seed + "salt", 8))
        instruction = "Produce `report.txt` with the project's report pipeline (see `PIPELINE.md`)."
        hidden = {".grade/check_cmd.py": _text_check({"report.txt": token, "work/clean.txt": clean})}
        grader = {"kind": "command", "argv": ["python", ".grade/check_cmd.py"]}
        reference = {"files": {"report.txt": token, "work/clean.txt": clean, "work/raw.txt": raw}}
    return agent_task(
        source=TEAM,
        route="command",
        difficulty=difficulty,
        lang=lang,
        key=f"{i:03d}",
        mode="code",
        instruction=instruction,
        files=files,
        hidden=hidden,
        grader=grader,
        reference=reference,
    )


def _json_check(path: str, want: dict[str, str]) -> str:
    return (
        "import json, sys\n"
        f"try:\n    got = json.load(open({path!r}))\nexcept (OSError, ValueError) as exc:\n    sys.exit(f'{path}: {{exc}}')\n"  # noqa: E501
        f"sys.exit(0 if got == {want!r} else f'{path} has {{got}}')\n"
    )


def _text_check(want: dict[str, str]) -> str:
    return (
        "import sys\n"
        f"for path, text in {want!r}.items():\n"
        "    try:\n        got = open(path).read().strip()\n    except OSError as exc:\n        sys.exit(f'{path}: {exc}')\n"  # noqa: E501
        "    if got != text:\n        sys.exit(f'{path} does not have the expected content')\n"
    )
