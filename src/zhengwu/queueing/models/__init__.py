"""The hall (功能区, 业务类型, 窗口设置, 排班, 办公时间), 预约 and the queue (取号叫号)."""

from .appointments import Appointment, BookingBlock, Slot
from .hall import BusinessType, Duty, ExtraSession, HallRules, OpeningPeriod, WindowSetup, Zone
from .supervision import DailyRollup, OverdueAlert, RollupCell
from .tickets import Ticket, TicketCounter, TicketEvent

__all__ = ["Appointment", "BookingBlock", "BusinessType", "DailyRollup", "Duty", "ExtraSession", "HallRules",
           "OpeningPeriod", "OverdueAlert", "RollupCell", "Slot",
           "Ticket", "TicketCounter", "TicketEvent", "WindowSetup", "Zone"]
