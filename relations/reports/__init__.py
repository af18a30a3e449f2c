"""Status reports: built from the log as plain values (model.py), drawn as timelines
(timeline.py) and rendered by Jinja2 templates or the json/csv modules (render.py)."""
