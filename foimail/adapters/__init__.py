"""Adapters: the edges that talk to the world (IMAP, Maildir, SMTP, TLS, scheduler, HTTP, sd_notify)."""
