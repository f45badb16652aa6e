"""The lesson site: every lesson as a static page a browser plays step by step, offline.

Owns: ``minimq site OUT_DIR``'s output. ``collect`` runs a lesson through a ``View`` that
records what a page shows (narration, events, state tables, verdicts) as JSON-ready data;
``page`` writes that data into one self-contained HTML page with the player
(``static/player.js``, ``static/player.css``, inlined); ``build`` writes the index, every
lesson page in each language, and the fix matrix page. A page holds no logic of the
engine: everything it shows is in the JSON embedded in it.
"""
