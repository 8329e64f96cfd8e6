"""The province-level region of a report, by the rule archive/regions.py states."""
from nianbao.archive.regions import CENTRAL, UNKNOWN, region


def test_region_rule():
    assert region("www.zj.gov.cn", "浙江省人民政府办公厅") == "浙江省"
    assert region("example.org", "国家税务总局浙江省税务局") == "浙江省"
    assert region("example.org", "中共上海市委办公厅") == "上海市"
    assert region("www.gov.cn", "国务院办公厅") == CENTRAL
    assert region("www.beijing.gov.cn", "海淀区人民政府") == "北京市"
    assert region("www.deqing.gov.cn", "德清县人民政府") == UNKNOWN
