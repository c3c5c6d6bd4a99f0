"""Sphinx extension: the ``actlib-catalog`` directive, a table of every registered activation.

Rendered from ``actlib``'s registry at build time (name and aliases; formula,
parameters with defaults, range and paper), so the API appendix lists exactly
what the installed package provides; the rest of each record is ``act.info``.
"""
from docutils import nodes
from sphinx.util.docutils import SphinxDirective

_COLUMNS = ("name", "definition")


def _text(value):
    return nodes.paragraph("", "", nodes.Text(str(value)))


def _math_or_text(value: str):
    """LaTeX (anything with a backslash) as inline math, plain words as text."""
    if "\\" in value:
        return nodes.paragraph("", "", nodes.math(value, value))
    return _text(value)


def _row(act):
    info = act.info
    name = nodes.paragraph("", "", nodes.literal(info.name, info.name))
    if info.aliases:
        name += nodes.Text(" (" + ", ".join(info.aliases) + ")")
    params = ", ".join(f"{k}={v!r}" for k, v in info.params.items()) or "—"
    formula = nodes.paragraph("", "", nodes.math(info.formula, info.formula))
    facts = nodes.paragraph("", "", nodes.Text(f"parameters: {params}; range: "))
    facts += _math_or_text(info.range).children
    facts += nodes.Text(f"; {info.reference or 'no paper'}")
    definition = nodes.container()
    definition += [formula, facts]
    cells = [name, definition]
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += cell
        row += entry
    return row


class ActlibCatalog(SphinxDirective):
    """``.. actlib-catalog::`` — one row per canonical activation name."""

    def run(self):
        import actlib

        table = nodes.table(classes=["actlib-catalog"])
        group = nodes.tgroup(cols=len(_COLUMNS))
        table += group
        for _ in _COLUMNS:
            group += nodes.colspec(colwidth=1)
        head = nodes.thead()
        header = nodes.row()
        for title in _COLUMNS:
            entry = nodes.entry()
            entry += _text(title)
            header += entry
        head += header
        group += head
        body = nodes.tbody()
        for name in actlib.names():
            body += _row(actlib.get(name))
        group += body
        return [table]


def setup(app):
    app.add_directive("actlib-catalog", ActlibCatalog)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
