"""What the sequence diagram (``minimq.render.sequence``) writes besides the events' own
brief lines: why a repeat is a duplicate, time breaks, steps, skipped stretches.
"""

SEQUENCE: dict[str, tuple[str, str]] = {
    "seq.dup_same": (
        "why: {key} again under the same msg id (first delivered {first})",
        "原因：同一 msgId 再次投递 {key}（首次 {first}）",
    ),
    "seq.dup_other": (
        "why: {key} again as a new message (first delivered {first})",
        "原因：{key} 又来了一条新消息（首次 {first}）",
    ),
    "seq.dup_effect": (
        "why: row {n} for {key} (the first at {first})",
        "原因：{key} 的第 {n} 行（第一行在 {first}）",
    ),
    "seq.break": ("{span} later", "{span}后"),
    "seq.step": ("step {n}", "第 {n} 步"),
    "seq.skipped": ("{start} to {end}: {n} events not drawn", "{start} 至 {end}：略去 {n} 个事件"),
    "seq.time": ("time", "时间"),
    "seq.legend.message": ("message", "消息"),
    "seq.legend.offset": ("offset persisted", "消费位点持久化"),
    "seq.legend.retry": ("retry", "重试"),
    "seq.legend.failed": ("failed call", "调用失败"),
    "seq.legend.duplicate": ("duplicate", "重复"),
}
