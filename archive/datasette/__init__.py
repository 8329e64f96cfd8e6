"""Publishing the archive with Datasette: metadata.yaml, datasette.yaml, our plugin, serve.py.

This package is itself the Datasette plugin (so its templates/ and static/ folders are
found by Datasette): the hooks live in `plugin.py` and are re-exported here.
"""
from .plugin import (  # noqa: F401  (hook implementations, found by attribute)
    asgi_wrapper,
    extra_css_urls,
    filters_from_request,
    menu_links,
    prepare_connection,
    register_routes,
    render_cell,
    startup,
)
