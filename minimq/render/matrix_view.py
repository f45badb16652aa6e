"""The fix matrix as a learner or a workshop sees it: one table, and the wrong cells explained.

Owns: ``render``. The table has a row per design and a column per path, each cell one
measured run: ``·`` one coupon and a right answer, ``2`` a duplicate coupon, ``0`` a lost
one, ``!`` one coupon with a wrong answer. Under it, what each column plays, and for
every wrong cell its reason and the command that replays it.
"""

from __future__ import annotations

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from minimq.i18n import t
from minimq.lessons.fix_matrix import MatrixLesson
from minimq.render.wrap import wrap
from minimq.testing.matrix import COLUMNS, Cell, Column

MARKS = {"ok": ("·", "green"), "duplicate": ("2", "bold red"), "lost": ("0", "bold red"), "wrong": ("!", "yellow")}


def render(console: Console, lesson: MatrixLesson, seed: int, rows: list[list[Cell]], lang: str) -> None:
    width = console.width - 4

    def para(*keys: str) -> Text:
        return Text("\n\n".join(wrap(t(k, lang), width) for k in keys), no_wrap=True)

    console.print(Rule(t(lesson.title, lang), style="bold"))
    console.print(Panel(para(lesson.setting), border_style="cyan"))
    for table in _tables(lesson, seed, rows, lang, console.width):
        console.print(table)
    console.print(_legend(lang))
    console.print(_columns(lang, console.width))
    wrong_rows = [row for row in rows if any(cell.outcome != "ok" for cell in row)]
    if wrong_rows:
        console.print(Rule(t("lm.wrong_title", lang), style="red"))
        for row in wrong_rows:
            console.print(_wrong(row, seed, lang, console.width))
    console.print(Panel(para(lesson.diagnosis, lesson.limits), border_style="magenta"))


def _tables(lesson: MatrixLesson, seed: int, rows: list[list[Cell]], lang: str, width: int) -> list[Table]:
    """The matrix as one table, or split between column families when it is wider than ``width``."""
    name_width = max(len(row[0].design) for row in rows) + 1
    room = max(1, (width - name_width - 2) // 3)  # a cell is its two-letter code and one space
    families: dict[str, list[Column]] = {}
    for column in COLUMNS:
        families.setdefault(column.code[0], []).append(column)
    groups: list[list[Column]] = [[]]
    for family in families.values():
        if groups[-1] and len(groups[-1]) + len(family) > room:
            groups.append([])
        groups[-1].extend(family)
    title = t("lm.table_title", lang, seed=seed)
    return [_table(title if i == 0 else None, group, rows, lang, name_width) for i, group in enumerate(groups)]


def _table(title: str | None, columns: list[Column], rows: list[list[Cell]], lang: str, name_width: int) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAVY, pad_edge=False, padding=0)
    table.add_column(t("lm.design", lang), no_wrap=True, min_width=name_width)
    for column in columns:  # the box's space between cells is the only padding: 16 codes fit 80 columns
        table.add_column(column.code, justify="center", min_width=2, no_wrap=True)
    codes = {column.code for column in columns}
    for row in rows:
        marks = [MARKS[c.outcome] for c in row if c.column in codes]
        table.add_row(row[0].design, *(Text(mark, style=style) for mark, style in marks))
    return table


def _legend(lang: str) -> Table:
    """What each cell mark means, one mark a line."""
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(no_wrap=True)
    table.add_column()
    for outcome, (mark, style) in MARKS.items():
        table.add_row(Text(mark, style=style), t(f"lm.cell.{outcome}", lang))
    return table


def _columns(lang: str, width: int) -> Table:
    """What each column plays; a label is wrapped here (``wrap``: a Chinese one breaks
    between characters, not only at spaces) to what the code and the path leave."""
    table = Table(title=t("lm.columns_title", lang), box=None, show_header=False, title_justify="left")
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    room = max(width - 2 - max(len(c.code) for c in COLUMNS) - max(len(c.path) for c in COLUMNS) - 4, 20)
    for column in COLUMNS:
        table.add_row(column.code, column.path, wrap(t(column.label, lang), room))
    return table


def _wrong(row: list[Cell], seed: int, lang: str, width: int) -> Text:
    """A design's wrong cells: why the design fails, each cell, and how to replay one."""
    design = row[0].design
    text = Text()
    text.append(design + "\n", style="bold")
    why = wrap(t(f"lm.why.{design}", lang), width - 2)
    text.append("".join(f"  {line}\n" for line in why.split("\n")))
    labels = {column.code: t(column.label, lang) for column in COLUMNS}
    wrong = [cell for cell in row if cell.outcome != "ok"]
    for cell in wrong:
        style = MARKS[cell.outcome][1]
        said = t(f"lm.outcome.{cell.outcome}", lang, n=cell.coupons)
        outcome = said + " " * max(10 - cell_len(said), 0)  # padded by terminal cells, not characters
        indent = " " * cell_len(f"  {cell.column}  {outcome}  ")
        label = wrap(labels[cell.column], max(width - cell_len(indent), 20)).replace("\n", "\n" + indent)
        text.append(f"  {cell.column}  ")
        text.append(outcome, style=style)
        text.append(f"  {label}\n")
    command = f"minimq check {design} --seed {seed} --replay {wrong[0].column}"
    text.append(t("lm.replay", lang, command=command) + "\n", style="dim")
    return text
