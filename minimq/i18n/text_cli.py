"""The ``minimq`` command's help: the description, each command and each option.

Used by ``minimq.cli.build_parser(lang)``. Option names, file names, placeholders (FILE,
``{n}``) and code literals stay as written in both languages. argparse's help strings are
``%``-formatted: a literal percent sign must be written ``%%``.
"""

CLI: dict[str, tuple[str, str]] = {
    "cli.description": (
        "A deterministic, virtual-time teaching broker that delivers like RocketMQ.",
        "教学用的消息 Broker：跑在虚拟时间上，结果完全确定，投递规则与 RocketMQ 一致。",
    ),
    "cli.version": ("show program's version number and exit", "显示版本号并退出"),
    "cli.lang": ("language (default: from the locale)", "输出语言（默认跟随系统 locale）"),
    "cli.width": ("console width in columns", "终端宽度（列数）"),
    "cli.no_color": ("plain text, no colour", "纯文本输出，不带颜色"),
    "cli.json_summary": ("print a JSON summary instead of the narration", "输出 JSON 摘要，不输出逐步讲解"),
    # -- lessons, lesson, tour -----------------------------------------------------------
    "cli.cmd_lessons": ("list the lessons", "列出所有课程"),
    "cli.cmd_lesson": ("run one lesson step by step", "逐步运行一课"),
    "cli.cmd_tour": (
        "the short route: the three lessons of the incident and the fix matrix, one after another",
        "简短路线：事故的三课，再加修复矩阵，依次运行",
    ),
    "cli.tour_all": ("the full route: every lesson", "完整路线：运行全部课程"),
    "cli.lesson_name": (
        "lesson number or name, e.g. 1 or upstream-retry",
        "课程编号或名称，如 1 或 upstream-retry",
    ),
    "cli.lesson_seed": ("seed of every run (default 1)", "每一轮运行使用的 seed（默认 1）"),
    "cli.no_pause": (
        "run straight through (the default when not on a terminal)",
        "不暂停，一口气跑完（输出不是终端时默认如此）",
    ),
    "cli.export": (
        "also write the whole run to FILE (.svg, .html or .txt); with {n} in FILE, one numbered file per step (slides)",
        "同时把整个运行过程导出到 FILE（.svg、.html 或 .txt）；"
        "FILE 里带 {n} 时，每一步导出一个带编号的文件（用作幻灯片）",
    ),
    # -- check ---------------------------------------------------------------------------
    "cli.cmd_check": (
        "property-test a coupon consumer design against every fault",
        "对优惠券消费方案做属性测试，每一种故障都跑一遍",
    ),
    "cli.design": (
        "a Python file defining handle(msg, db) and optionally setup(db), or the name of a shipped design (unique_key, query_then_insert, ...)",
        "一个 Python 文件，定义消费逻辑 handle(msg, db)（相当于 RocketMQ 的 MessageListener），可选再定义 setup(db)；也可以写内置方案的名字（unique_key、query_then_insert 等）",
    ),
    "cli.examples": ("schedules to try (default 200)", "要尝试的剧本数（默认 200）"),
    "cli.check_seed": ("seed of the exploration (default 0)", "探索使用的 seed（默认 0）"),
    "cli.paths": (
        "comma-separated duplication paths to explore (default all: {paths})",
        "要探索的重复消息路径，用逗号分隔（默认全部：{paths}）",
    ),
    "cli.paths_title": ("duplication paths (--paths):", "重复消息路径（--paths）："),
    "cli.replay": (
        "run only this stored schedule (from a failure report), or a column of the fix matrix (A1 .. J1)",
        "只重放这一个保存下来的剧本（取自失败报告），或者修复矩阵里的一列（A1 .. J1）",
    ),
    "cli.jobs": (
        "worker processes (default: one per core); the result is the same",
        "工作进程数（默认每个 CPU 核一个）；进程数不影响结果",
    ),
    "cli.timeout": (
        "wall-clock limit of one schedule's run: a design stuck longer is reported (default 10)",
        "单个剧本运行的真实时间上限（秒）：方案卡住超过这个时间就会报告出来（默认 10）",
    ),
    "cli.json_result": ("print the result as JSON", "以 JSON 输出结果"),
    # -- demo ----------------------------------------------------------------------------
    "cli.cmd_demo": (
        "one order paid, one reply lost, two coupons",
        "一次支付，一次发送应答丢失，结果发了两张券",
    ),
    "cli.demo_seed": ("seed of the simulation (default 42)", "模拟使用的 seed（默认 42）"),
    "cli.trace_out": (
        "also write the trace as JSON lines to FILE",
        "同时把 trace 按 JSON Lines 格式写入 FILE",
    ),
    "cli.realtime": (
        "pace virtual time against the wall clock (1 = real time, 10 = ten times faster)",
        "按真实时间的节奏推进虚拟时间（1 为实时，10 为十倍速）",
    ),
    # -- trace ---------------------------------------------------------------------------
    "cli.cmd_trace": (
        "read a JSON-lines trace back and check it",
        "读回一份 JSON Lines 格式的 trace 并检查",
    ),
    "cli.trace_file": ("a trace written by --trace-out", "由 --trace-out 写出的 trace 文件"),
    "cli.json_verdicts": ("print the verdicts as JSON", "以 JSON 输出检查结论"),
    "cli.timeline": ("also draw the timeline", "同时画出时间线"),
    "cli.trace_svg": (
        "also write the trace as an SVG sequence diagram to OUT",
        "同时把轨迹画成 SVG 时序图，写到 OUT",
    ),
    "cli.strict": (
        "exit 1 if a message was lost, an effect duplicated or lost, or a retry broke RocketMQ's rules",
        "有消息丢失、出现重复发放或漏发，或者重试不符合 RocketMQ 的规则时，退出码为 1",
    ),
    # -- argparse's own words (its gettext message ids, English as argparse writes them) -------
    "ap.usage": ("usage: ", "用法："),
    "ap.positional": ("positional arguments", "位置参数"),
    "ap.options": ("options", "选项"),
    "ap.help": ("show this help message and exit", "显示本帮助并退出"),
    "ap.error": ("%(prog)s: error: %(message)s\n", "%(prog)s：错误：%(message)s\n"),
    "ap.argument": ("argument %(argument_name)s: %(message)s", "参数 %(argument_name)s：%(message)s"),
    "ap.invalid_choice": (
        "invalid choice: %(value)r (choose from %(choices)s)",
        "无效的取值：%(value)r（可选：%(choices)s）",
    ),
    "ap.invalid_value": ("invalid %(type)s value: %(value)r", "%(type)s 取值无效：%(value)r"),
    "ap.required": ("the following arguments are required: %s", "缺少必需的参数：%s"),
    "ap.unrecognized": ("unrecognized arguments: %s", "无法识别的参数：%s"),
    "ap.expected_one": ("expected one argument", "需要跟一个取值"),
    "ap.ambiguous": (
        "ambiguous option: %(option)s could match %(matches)s",
        "选项有歧义：%(option)s 可能是 %(matches)s",
    ),
}
