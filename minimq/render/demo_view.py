"""The demo as a learner sees it: the setting, the timeline, the data, the verdict, in en or zh.

``render`` prints all of it after the run; ``minimq demo --realtime`` prints the setting
first, the events as they happen (``minimq.render.demo_live``), and then ``summary``.
Every line comes from the catalog (``minimq/i18n/text_demo.py``).
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from minimq.apps.incident import COUPON_GROUP, RED_PACKET_GROUP, TOPIC
from minimq.demo import ORDER, Demo, SendOutcome
from minimq.i18n import t
from minimq.i18n.describe import fmt_ms, short
from minimq.render.state import queues_table
from minimq.render.timeline import timeline
from minimq.render.wrap import wrap

NAMES = (ORDER, TOPIC, COUPON_GROUP, RED_PACKET_GROUP)  # shown in bold in the setting


def render(demo: Demo, console: Console, lang: str = "en") -> None:
    console.print(setting(lang, console.width))
    console.print(timeline(demo.world.trace, title=t("demo.timeline", lang, seed=demo.world.seed), lang=lang))
    summary(demo, console, lang)


def setting(lang: str, width: int) -> Panel:
    """The opening panel: who sends what to whom, and the fault that is armed."""
    text = t("demo.setting", lang, order=ORDER, topic=TOPIC, coupon=COUPON_GROUP, red=RED_PACKET_GROUP)
    return Panel(_fit(text, lang, width - 4), title=t("demo.title", lang))


def _fit(text: str, lang: str, width: int) -> str | Text:
    """``text`` as rich wraps it in English (the golden transcript pins that), or broken by
    ``minimq.render.wrap`` in Chinese, which rich would break only at the spaces around an
    English word. The demo's names stay bold."""
    if lang == "en":
        return text
    fitted = Text(wrap(Text.from_markup(text).plain, width), no_wrap=True)
    fitted.highlight_words(NAMES, "bold")
    return fitted


def summary(demo: Demo, console: Console, lang: str = "en") -> None:
    """What the run left behind: the coupons, the broker's queues, and the verdict."""
    console.print(_coupons(demo, lang))
    console.print(queues_table(demo.world.broker, TOPIC, [COUPON_GROUP, RED_PACKET_GROUP], lang=lang))
    console.print(_verdict(demo, lang, console.width))


def _coupons(demo: Demo, lang: str) -> Table:
    table = Table(title=t("demo.coupons", lang))
    table.add_column("#", justify="right")
    table.add_column(t("demo.col_order", lang))
    table.add_column(t("demo.col_msg_id", lang))
    table.add_column(t("demo.col_at", lang))
    for n, (order, msg_id, at) in enumerate(demo.coupons, 1):
        table.add_row(str(n), order, short(msg_id), fmt_ms(at))
    return table


def _send(outcome: SendOutcome, lang: str) -> str:
    if outcome.error is None:
        return t("demo.send_ok", lang, attempt=outcome.attempt, status=outcome.status, offset=outcome.queue_offset)
    key = "demo.send_timeout" if outcome.error == "SendTimeoutError" else "demo.send_raised"
    return t(key, lang, attempt=outcome.attempt, error=outcome.error)


def _verdict(demo: Demo, lang: str, width: int) -> Panel:
    report = demo.report()
    copies = demo.world.broker.query_by_key(TOPIC, ORDER)
    sep = t("demo.ids_sep", lang)
    lines = [
        t("demo.sends", lang, attempts=t("demo.sends_sep", lang).join(_send(s, lang) for s in demo.sends)),
        t(
            "demo.copies",
            lang,
            n=len(copies),
            order=ORDER,
            ids=sep.join(sorted({short(c.msg_id) for c in copies})),
            offset_ids=sep.join(short(c.offset_msg_id) for c in copies),
        ),
        t(
            "demo.coupon_count",
            lang,
            order=ORDER,
            n=len(demo.coupons),
            dup=len(report.duplicated_effects),
            lost=len(report.lost_effects),
        ),
        *t("demo.why", lang).split("\n"),  # one renderable a line, as rich wrapped them from the start
    ]
    style = "red" if report.duplicated_effects else "green"
    return Panel(
        Group(*(_fit(line, lang, width - 4) for line in lines)), title=t("demo.verdict", lang), border_style=style
    )
