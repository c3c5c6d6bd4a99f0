"""Sphinx extension: emit each <script> of a page once.

Jupyter Book 1.0.4 with sphinx-thebe 0.3.1 and sphinx-togglebutton 0.4.5 puts their inline
configuration scripts into every page twice; the second ``const THEBE_JS_URL = ...``
is a SyntaxError in the reader's console. Identical script entries (same file, same
attributes and body) are dropped here, keeping the first.  The two copies differ only in
``filename``: ``None`` for the one added to the builder, ``''`` for the registry's copy.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen, unique = set(), []
    for js in scripts:
        key = (getattr(js, "filename", str(js)) or "", tuple(sorted((k, str(v)) for k, v in getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
