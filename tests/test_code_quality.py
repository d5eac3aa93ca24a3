"""Type checking and linting are part of the test run."""

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import version

from tests.conftest import REPO
from tfmigrate import errors


def test_mypy_strict() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_lint_and_format() -> None:
    for args in (["check", "src", "tests"], ["format", "--check", "src", "tests"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args], capture_output=True, text=True, cwd=REPO
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_exception_tree_names_every_exception() -> None:
    # errors.py draws the tree in its docstring; a class added without it leaves the map wrong.
    drawn = set(re.findall(r"[─└├] (\w+)", errors.__doc__ or ""))
    defined = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type)
        and issubclass(value, errors.TfMigrateError)
        and value is not errors.TfMigrateError
    }
    assert drawn == defined


# Module constants that nothing in the package reads (the test below fails on an entry that names nothing).
UNUSED_ALLOWED: set[str] = set()


def test_no_module_constant_goes_unread() -> None:
    defined: dict[str, str] = {}
    read: set[str] = set()
    for path in sorted((REPO / "src" / "tfmigrate").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            for target in targets:
                if isinstance(target, ast.Name) and re.fullmatch(r"[A-Z][A-Z0-9_]*", target.id):
                    defined[target.id] = path.relative_to(REPO).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                read.add(node.id)
            elif isinstance(node, ast.Attribute):
                read.add(node.attr)
            elif isinstance(node, ast.alias):
                read.add(node.name)
    unread = {name: where for name, where in defined.items() if name not in read}
    assert {name: where for name, where in unread.items() if name not in UNUSED_ALLOWED} == {}
    assert unread.keys() >= UNUSED_ALLOWED, "an allowed entry is gone or read now: drop it from the list"


def test_the_checkers_are_pinned_to_what_runs() -> None:
    # A release of ruff or mypy must not turn the suite red without a change in this repository.
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = [s for s in project["optional-dependencies"]["test"] if s.startswith(("ruff", "mypy"))]
    assert sorted(specs) == [f"mypy=={version('mypy')}", f"ruff=={version('ruff')}"]


# Programs a test may not run: software is installed by .ci/run (and the README), never by a test.
INSTALLERS = {"apt-get", "apt", "dpkg", "pip", "pip3"}


def runs_an_installer(call: ast.Call) -> bool:
    """subprocess.run(["apt-get", ...]) and the like, or [sys.executable, "-m", "pip", ...]."""
    if not call.args or not isinstance(call.args[0], ast.List):
        return False
    words = [e.value if isinstance(e, ast.Constant) else None for e in call.args[0].elts]
    return bool(words) and (words[0] in INSTALLERS or words[1:3] == ["-m", "pip"])


def test_tests_need_nothing_beside_the_repository() -> None:
    """A clone with nothing beside it passes: no test installs software or reads ../shared/, but for
    the tests of the real Teaching File System code, which is third-party and stays outside the
    repository (../shared/mirc-judge/): they are marked ``tfs`` and skip where it is absent."""
    offenders = []
    for path in sorted((REPO / "tests").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(REPO).as_posix()
        offenders += [f"{where}:{n.lineno}" for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call)
                      and runs_an_installer(n)]  # fmt: skip
        if path.name != "test_code_quality.py" and re.search(r"\.\./shared(?!/mirc-judge)|shared/docs", text):
            offenders.append(f"{where}: reads beside the repository")
    assert offenders == []


# The project's guides beside the repository (what the site looks like, the target formats, the
# house style) are not in a clone: a comment that cites one sends its reader nowhere.
OUTSIDE_DOCUMENTS_RE = re.compile(r"\b(?:SITE|TARGETS|CRAWLING|STYLE)\.md\b")


def test_no_comment_cites_a_document_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(REPO).as_posix()}:{number}"
        for folder in ("src", "tests")
        for path in sorted((REPO / folder).rglob("*.py"))
        if path.name != "test_code_quality.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE_DOCUMENTS_RE.search(line)
    ]
    assert offenders == []
