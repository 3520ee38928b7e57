"""Sphinx extension: warn (and so, under -W, fail the build) on notebooks that hold an error output.

The book renders executed notebooks without running them; a cell that raised
during execution leaves an ``error`` output, which must not be published.
"""

import json
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)


def check_notebooks(app, env, docnames):
    for doc in docnames:
        path = Path(env.doc2path(doc))
        if path.suffix != ".ipynb":
            continue
        for i, cell in enumerate(json.loads(path.read_text()).get("cells", [])):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    logger.warning("notebook cell %d raised %s: %s", i, out.get("ename"),
                                   out.get("evalue"), location=doc)


def setup(app):
    app.connect("env-before-read-docs", check_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
