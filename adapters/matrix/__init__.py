"""The Matrix adapter: matrix-nio against a homeserver, with end-to-end encryption (vodozemac)."""
