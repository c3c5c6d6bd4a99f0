"""Sphinx extension: author-year labels in the bibliography ("Glorot and Bengio 2010"), to
match the author-year citations in the text (``bibtex_reference_style: author_year``).

Registers the pybtex label style and formatting style ``author_year`` (unsrt's formatting,
entries sorted by author and year); ``_config.yml`` selects it with
``bibtex_default_style: author_year``.
"""
from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle


def _surnames(entry):
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [" ".join(p.last_names) for p in people]
    if not names:
        return entry.fields.get("organization") or entry.fields.get("title", "Anon.").split(":")[0]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


class AuthorYearLabelStyle(BaseLabelStyle):
    """"Surname YEAR", "A and B YEAR", "A et al. YEAR"; a suffix a, b, ... for repeats."""

    def format_labels(self, sorted_entries):
        labels = [f"{_surnames(e)} {e.fields.get('year', 'n.d.')}".replace("{", "").replace("}", "")
                  for e in sorted_entries]
        seen = {}
        for label in labels:
            seen[label] = seen.get(label, 0) + 1
        count = {}
        for label in labels:
            if seen[label] > 1:
                count[label] = count.get(label, 0) + 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[count[label] - 1]
            else:
                yield label


class AuthorYearStyle(UnsrtStyle):
    default_label_style = "author_year"
    default_sorting_style = "author_year_title"


def setup(app):
    register_plugin("pybtex.style.labels", "author_year", AuthorYearLabelStyle)
    register_plugin("pybtex.style.formatting", "author_year", AuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
