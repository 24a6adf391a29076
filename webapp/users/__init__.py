"""Users: accounts, roles, bans."""
