"""Handhelds as the supervisor sees them: what each device last reported (who, which screen, which batch, how
many writes wait in its offline queue or were refused)."""
