"""Supervisor web pages: server-rendered Jinja for desktops (sign-in, dashboard, items, locations, users,
stock, movements, receipts)."""
