"""Off-site attendance CSV connector (delta per learner, course and week)."""

from connectors.attendance.connector import AttendanceConnector

__all__ = ["AttendanceConnector"]
