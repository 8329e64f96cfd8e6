"""One module per real-world portal family; each has `build(news_count) -> Portal`."""
from demo.portals import hanweb, ssi, trs

ALL = [trs, hanweb, ssi]
