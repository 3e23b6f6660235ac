"""取号叫号 and 预约: the hall's queue, appointments, call boards and 效能监察 (issue 25)."""
