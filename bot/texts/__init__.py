"""Every text a person reads in chat, one module per language. Dutch (`nl.DUTCH`) is the school's language."""
