"""Keeping up with the homeserver under load: send → redaction, a bare bot beside the whole `schoolwacht run`.

    SCHOOLWACHT_SYNAPSE_PYTHON=.venv-synapse/bin/python .venv/bin/python -m benchmarks.keep_up \
        [--rates 20,30,40,50] [--step-s 15] [--bot-root CHECKOUT] [--bot-setting 'card_burst_s = 0']

One real Synapse (started as the tests start it). Ten students in five class rooms send at a fixed rate, one step
per rate; every tenth message is abusive (it holds the fixed word, and the text tier calls it an insult or a
threat). Per step, first:
  (a) a bare matrix-nio bot as its own process: long-polls /sync and redacts every message with the fixed word
      (no classifier, no database), in five rooms of its own (bare_bot.py);
  (b) then `schoolwacht run` as its own process (SQLite incident log, the text tier, reviewers' cards in their
      direct rooms, the overview room, a notice to the student) in five other rooms (full_bot.py).
The students' messages come from load.py. Send → redaction is the redaction's server timestamp minus the moment the
send began (one machine, one clock). A watcher counts the redactions per message: every abusive message redacted
exactly once, nothing else redacted (measure.py). A step is kept up when its p90 stays under 250 ms; the sustainable
rate is the highest step kept up (report.py).
After each step: the card copies delivered so far, in how many messages, and the notices (the homeserver's work
besides the redactions), and the CPU seconds Synapse and each bot used in their half of the step (on a loaded
machine a steadier figure of the homeserver's work than the latencies). `--bot-root` runs the bot of another
checkout (an older commit, to compare back to back); `--bot-setting` adds a line to its [bot] settings (e.g.
`critical_wait_s = 0`).
Ends with one line: `bare_p50_ms=<..> pipeline_p50_ms=<..> p50_ratio=<..> sustainable_ratio=<..> exactly_once=<..>`.
"""
