"""What is wrong with a design file, and what it was doing, as ``minimq check`` says it."""

DESIGN: dict[str, tuple[str, str]] = {
    # -- a design that cannot be used (exit 2) ---------------------------------------------------
    "design.not_found": (
        "design file not found: {path} (or name a shipped design: {names})",
        "找不到方案文件：{path}（也可以直接写内置方案的名字：{names}）",
    ),
    "design.unreadable": ("cannot read {path}: {error}", "读取 {path} 失败：{error}"),
    "design.syntax": ("syntax error in {path}, line {line}: {error}", "{path} 第 {line} 行有语法错误：{error}"),
    "design.syntax_noline": ("syntax error in {path}: {error}", "{path} 有语法错误：{error}"),
    "design.no_handle": (
        "{path} defines no handle(msg, db): write `async def handle(msg, db):`",
        "{path} 没有定义消费逻辑 handle(msg, db)（相当于 MessageListener）：请写 `async def handle(msg, db):`",
    ),
    "design.handle_kind": ("{path}: handle is a {kind}, not a function", "{path}：handle 是 {kind}，不是函数"),
    "design.handle_signature": (
        "{path}: handle must take exactly (msg, db), but its signature is handle{signature}",
        "{path}：handle 的参数必须正好是 (msg, db)，现在是 handle{signature}",
    ),
    "design.setup_signature": (
        "{path}: setup must be a plain `def setup(db):` taking one argument",
        "{path}：setup 必须是只接收一个参数的普通函数 `def setup(db):`",
    ),
    "design.sends_sms": (
        "{path}: SENDS_SMS must be True or False, not {value}",
        "{path}：SENDS_SMS 只能是 True 或 False，现在是 {value}",
    ),
    "design.raised": ("{at}: {doing} raised {error}", "{at}：{doing}时抛出了 {error}"),
    "design.thread": (
        "{at}: handle(msg, db) starts a thread ({what}): a thread runs on the wall clock, outside the virtual "
        "time, so two runs with the same seed could differ and minimq cannot judge the design. Call the "
        "function directly, or make it a coroutine and await it",
        "{at}：handle(msg, db) 启动了线程（{what}）：线程跑在真实时钟上、在模拟时间之外，同一个 seed "
        "两次运行的结果可能不同，minimq 无法评判这个方案。请直接调用该函数，或把它写成协程再 await",
    ),
    "design.sleep": (
        "{at}: an async def handle calls time.sleep({seconds}): it would block every handler in wall time and "
        "take no virtual time. Write await asyncio.sleep({seconds}) (or make handle a plain def: there "
        "time.sleep sleeps in virtual time, like a consume thread)",
        "{at}：async def 的 handle 调用了 time.sleep({seconds})：它会在真实时间里卡住所有消费逻辑，却不占用模拟"
        "时间。请写 await asyncio.sleep({seconds})（或者把 handle 改成普通 def：那里的 time.sleep 会像消费线程"
        "一样在模拟时间里睡眠）",
    ),
    "design.import_timeout": (
        "importing {path} did not finish within {seconds} s{stuck}",
        "导入 {path} 超过 {seconds} 秒还没结束{stuck}",
    ),
    "design.setup_timeout": (
        "{path}: setup(db) did not return within {seconds} s{stuck}",
        "{path}：setup(db) 超过 {seconds} 秒还没返回{stuck}",
    ),
    "design.stuck_at": (" (stuck at {where}: {code})", "（卡在 {where}：{code}）"),
    "design.worker_died": (
        "a worker process running the design ended by itself (exit code {code}): the design ended its own "
        "process (os._exit, os.kill) or crashed the interpreter",
        "运行方案的工作进程自己退出了（退出码 {code}）：方案自己结束了进程（os._exit、os.kill），或者让解释器崩溃了",
    ),
    "design.worker_silent": (
        "the design stopped answering for more than {seconds} s and could not be interrupted (stuck inside C "
        "code, or blocking signals): its worker process was killed",
        "方案超过 {seconds} 秒没有响应，而且无法打断（卡在 C 代码里，或者屏蔽了信号）：已杀掉它的工作进程",
    ),
    "design.worker_hung": (
        "the design kept running at {spot} after the watchdog stopped it, and swallowed every interrupt",
        "看门狗叫停之后，方案仍在 {spot} 继续运行，并吞掉了每一次中断",
    ),
    "doing.import": ("importing {path}", "导入 {path} "),
    "doing.setup": ("setup(db)", "执行 setup(db) "),
    "doing.restart": ("importing the design again at a restart", "重启后重新导入方案"),
    "doing.handle": ("handle(msg, db)", "执行 handle(msg, db) "),
}
