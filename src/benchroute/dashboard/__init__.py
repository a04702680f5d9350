"""The web dashboard the gateway serves at /dashboard: usage, decisions, leaderboard, project settings.

`benchroute.dashboard.app.create_dashboard()` builds it; docs/dashboard.md describes it."""
