"""The README's Python example runs and prints what its comments say."""
import contextlib
import io
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_the_python_api_example_prints_what_it_says(tmp_path):
    (block,) = [b for b in python_blocks() if "clean_records" in b]
    code = block.replace('out="output"', f'out={str(tmp_path / "output")!r}').replace('"seeds/"', repr(str(ROOT / "seeds")))
    printed = io.StringIO()
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        with contextlib.redirect_stdout(printed):
            exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    lines = printed.getvalue().splitlines()
    assert "Council approves new budget after long debate" in lines
    assert "{'url': None, 'date': '2024-03-12', 'author': 'Ann Lee', 'site': None}" in lines
    assert ("[('By Ann Lee', 'byline'), ('Updated 12 March 2024', 'dateline-metadata'), "
            "('Share this article', 'share-widget'), ('Related Posts', 'related-links')]") in lines
    body = [line for line in lines if line.startswith(("The city council", "Council members", "Editor's note"))]
    assert len(body) == 3 + 2  # three body paragraphs, then two with the custom config
    assert body[-1].startswith("Council members") and not any("Editor" in line for line in body[3:])
