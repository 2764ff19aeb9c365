"""bench/RESULTS.md holds one section per benchmark; each run replaces its own section only."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = (
    "# Benchmark results\n\nEach section is written by the script it names; figures are medians of runs.\n"
)


def write_section(title: str, body: str, path: Path = RESULTS) -> None:
    """Put `body` under `## {title}`, replacing that section if the file has it, else appending it.
    Headings inside `body` must be `###` or deeper."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    lines = text.splitlines()
    heading = f"## {title}"
    new = [heading, "", *body.strip("\n").splitlines(), ""]
    if heading in lines:
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines[start:end] = new
    else:
        lines += ["", *new]
    path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")


def demoted(markdown: str) -> str:
    """Sub-headings of a section: `## X` becomes `### X`; a leading `# ` title is dropped."""
    out = []
    for line in markdown.splitlines():
        if line.startswith("# "):
            continue
        out.append("#" + line if line.startswith("## ") else line)
    return "\n".join(out)
