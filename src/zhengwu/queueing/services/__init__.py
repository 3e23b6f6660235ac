"""The one write path of 取号叫号 (split by concern):

- ``hall``: zones, business types, window setups, roster, hours, 延时/周末办, hall rules;
- ``slots`` and ``booking``: slot generation, booking, cancel/rebook, reminders, no-shows and blocks;
- ``tickets``: 取号 (kiosk, remote, clerk, appointment check-in), numbering, priority, waiting estimate;
- ``calling``: 叫号 (next, recall, no-show, transfer, start, end), windows opening and closing;
- ``supervision``: 效能监察 alerts (超时等待) and the daily rollups.
"""
