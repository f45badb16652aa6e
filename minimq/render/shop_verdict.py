"""The verdict of one run: how many coupons and red packets each order got, in words.

Owns: ``verdict`` (the shop's own, for the lessons of the coupon incident) and
``look_verdict`` (the lines a lesson's ``Look`` reads from its shop), each a rich panel
drawn from its data (``verdict_lines``, ``look_verdict_lines``: the lines, each with
whether it tells a duplicate or a loss), which the lesson site (``minimq.site``) reads too.
"""

from __future__ import annotations

from collections import Counter

from rich.console import Group
from rich.panel import Panel
from rich.text import Text

from minimq.apps.shop import Shop
from minimq.events import EffectExpected
from minimq.i18n import t
from minimq.lessons.base import Lesson, Run
from minimq.lessons.look import Label, Look
from minimq.render.wrap import wrap


def _label(label: Label, lang: str) -> str:
    return t(label.key, lang, **label.values)


VerdictLines = list[tuple[str, bool]]  # each line, and whether it is drawn bold (the headline, bad news)


def verdict(lesson: Lesson, run: Run, shop: Shop, lang: str, width: int) -> Panel:
    """Coupons and red packets per order of the lesson, the other orders that went wrong, the moral."""
    lines, ok = verdict_lines(lesson, shop, lang)
    return _panel(lines, ok, run, lang, width)


def _panel(lines: VerdictLines, ok: bool, run: Run, lang: str, width: int) -> Panel:
    body = Group(
        *(Text(wrap(line, width), style="bold" if bad else "") for line, bad in lines),
        "",
        Text(wrap(t(run.moral, lang), width), no_wrap=True),
    )
    return Panel(body, title=t("ui.verdict", lang), border_style="green" if ok else "red")


def verdict_lines(lesson: Lesson, shop: Shop, lang: str) -> tuple[VerdictLines, bool]:
    """The verdict's lines (without the moral), and whether the run came out right."""
    orders = lesson.verdict_orders()
    counts = {order: 0 for order in orders}
    for row in shop.coupons():
        if row[1] in counts:
            counts[row[1]] += 1
    red = {o: len(shop.red_packet_db.query("SELECT id FROM red_packets WHERE order_id = ?", (o,))) for o in orders}
    if len(orders) == 1:
        order = orders[0]
        coupons, n_red = counts[order], red[order]
        if coupons == 0:
            line = t("ui.verdict_lost", lang, order=order)
        elif coupons > 1:
            line = t("ui.verdict_dup", lang, order=order, coupons=coupons, dups=coupons - 1)
        else:
            line = t("ui.verdict_ok", lang, order=order)
        if n_red > 1:  # every group gets every duplicate: a doubled red packet is the same bug
            red_text = t("ui.red_packets_dup", lang, order=order, n=n_red, dups=n_red - 1)
        else:
            red_text = t("ui.red_packets", lang, order=order, n=n_red)
    else:
        line = _orders_line(counts, lang)
        red_text = _red_packets_line(red, lang)
    others = _other_orders(shop, orders, lang)
    lines = [(line, True), (red_text, any(n > 1 for n in red.values())), *((other, True) for other in others)]
    ok = all(n == 1 for n in counts.values()) and all(n == 1 for n in red.values()) and not others
    return lines, ok


def look_verdict(look: Look, run: Run, shop: Shop, lang: str, width: int) -> Panel:
    """The verdict lines a lesson's ``Look`` reads from the shop, and the moral."""
    lines, ok = look_verdict_lines(look, shop, lang)
    return _panel(lines, ok, run, lang, width)


def look_verdict_lines(look: Look, shop: Shop, lang: str) -> tuple[VerdictLines, bool]:
    """The lines a lesson's ``Look`` reads from the shop, and whether none is bad."""
    lines = look.verdict(shop)
    return [(_label(line.text, lang), line.bad) for line in lines], not any(line.bad for line in lines)


def _other_orders(shop: Shop, orders: tuple[str, ...], lang: str) -> list[str]:
    """What went wrong for the paid orders other than the lesson's own: orders with more
    than one coupon or red packet, and orders without one."""
    lines: list[str] = []
    sep = t("ui.list_sep", lang)
    ledger = shop.coupon_db.name
    paid = [e.key for e in shop.world.trace.of(EffectExpected) if e.ledger == ledger and e.key not in orders]
    ledgers = (
        ("coupons", shop.coupon_db.query("SELECT order_id FROM coupons")),
        ("red_packets", shop.red_packet_db.query("SELECT order_id FROM red_packets")),
    )
    for what, rows in ledgers:
        count = Counter(str(r[0]) for r in rows)
        doubled = [o for o in paid if count[o] > 1]
        missing = [o for o in paid if count[o] == 0]
        if doubled:
            extra = sum(count[o] - 1 for o in doubled)
            lines.append(t(f"ui.others_dup_{what}", lang, n=len(doubled), orders=sep.join(doubled), extra=extra))
        if missing:
            lines.append(t(f"ui.others_lost_{what}", lang, n=len(missing), orders=sep.join(missing)))
    return lines


def _orders_line(counts: dict[str, int], lang: str) -> str:
    """Coupons per paid order, then how many are duplicates and which orders got none."""
    each = t("ui.list_sep", lang).join(t("ui.order_count", lang, order=o, n=n) for o, n in counts.items())
    line = t("ui.verdict_orders", lang, n=len(counts), counts=each)
    dups = sum(n - 1 for n in counts.values() if n > 1)
    lost = [o for o, n in counts.items() if n == 0]
    more: list[str] = []
    if dups:
        more.append(t("ui.verdict_orders_dup", lang, dups=dups))
    if lost:
        more.append(t("ui.verdict_orders_lost", lang, n=len(lost), orders=t("ui.list_sep", lang).join(lost)))
    if not dups and not lost:
        more.append(t("ui.verdict_orders_ok", lang))
    for sentence in more:  # a space after an English full stop, none after a Chinese 。
        line += sentence if line.endswith("。") else " " + sentence
    return line


def _red_packets_line(red: dict[str, int], lang: str) -> str:
    dups = sum(n - 1 for n in red.values() if n > 1)
    if dups:
        return t("ui.red_packets_orders_dup", lang, n=sum(red.values()), orders=len(red), dups=dups)
    return t("ui.red_packets_orders", lang, n=sum(red.values()), orders=len(red))
