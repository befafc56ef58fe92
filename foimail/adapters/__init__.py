"""Adapters: the edges that talk to the world (IMAP, Maildir, SMTP, TLS, OAuth 2, scheduler, HTTP, sd_notify)."""
