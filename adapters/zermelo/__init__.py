"""The timetable source: Zermelo's REST API (`/api/v3`), read with the school's API token."""
