"""One module per real-world portal family; each has `build(news_count) -> Portal`."""
from nianbao.demo.portals import big5, hanweb, image, pdf, spa, ssi, trs, tw

ALL = [trs, hanweb, spa, ssi, big5, tw, pdf, image]
