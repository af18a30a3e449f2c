"""Schedules of periodic reports: specs and triggers, periods, the job, the daemon."""
