"""Announcements in class announcement rooms: the timetable relay's changes, composed, stored and fanned out."""
