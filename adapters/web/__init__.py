"""The review desk: a small ASGI app for reviewers in a browser (phone first), on the same review core."""
