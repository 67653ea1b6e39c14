"""Users: who is who (names, teams, role and permission holders, for every domain) and their administration."""
