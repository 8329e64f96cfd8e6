"""Publishing the archive with Datasette: metadata.yaml, datasette.yaml, our plugin, serve.py.

This package is itself the Datasette plugin (so its templates/ and static/ folders are
found by Datasette): the hooks live in `plugin.py` and are re-exported here.
"""
from .plugin import (  # noqa: F401  (hook implementations, found by attribute)
    asgi_wrapper,
    extra_css_urls,
    extra_js_urls,
    extra_template_vars,
    filters_from_request,
    handle_exception,
    menu_links,
    prepare_connection,
    register_routes,
    render_cell,
    startup,
)
