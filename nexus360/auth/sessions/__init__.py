"""Signed-in sessions: started at sign-in, checked on every rerun, ended on sign-out, deactivation, a role
change, a new password, or after the idle and absolute limits."""
