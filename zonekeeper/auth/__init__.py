"""Accounts, sign-in and the one table of who may use which page."""
