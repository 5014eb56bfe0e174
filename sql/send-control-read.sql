-- Read at every tick and before every chunk: a changed sendLimit or a halt takes effect at the next chunk.
SELECT send_limit, halted, halt_reason FROM send_control WHERE id = 1
