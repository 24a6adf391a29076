"""The users' routes, on top of sign-in: the staff's user management (`/api/users…`) and
one's own profile sections of `/me` (`/me/profile`, `/me/time-zone`). The rules they call
are `webapp.users`' (which sign-in itself builds on)."""
