"""The README's promises: its two commands are CI's, and its quick start runs."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_the_readme_has_the_two_setup_commands_and_ci_runs_the_second():
    commands = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)[:2]
    assert commands == ['pip install ".[plot,progress]" && python -m sklearn_mlpreg gait',
                        'pip install ".[test]" && python -m pytest']
    assert commands[1] in (ROOT / ".ci" / "run").read_text()


def test_the_quick_start_runs_and_prints_what_the_readme_says():
    block = re.search(r"## Quick start\n\n```python\n(.*?)```", README, flags=re.S).group(1)
    # -W error: the example must not even warn (ConvergenceWarning is a UserWarning)
    run = subprocess.run([sys.executable, "-W", "error::UserWarning", "-c", block],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    printed = run.stdout.strip()
    assert printed.startswith("BBS mean absolute error:")
    assert f"prints `{printed}`" in README


def test_every_link_of_the_docs_resolves():
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text()):
            if not target.startswith("http"):
                assert (page.parent / target).exists(), f"{page.name} links to {target}"
    assert len(list((ROOT / "docs" / "figures").glob("*.png"))) >= 12
