"""Accounts: magic-link sign-in, profiles, subscriptions and API tokens behind the web view."""
