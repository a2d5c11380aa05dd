"""Partners, users, roles, sign-in, invitations and the access helpers every view uses."""
