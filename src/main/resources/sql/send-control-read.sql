SELECT send_limit, halted, halt_reason FROM send_control WHERE id = 1
