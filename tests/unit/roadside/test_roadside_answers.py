"""A stranded driver's words as they type them on a phone, in English and Chinese: which service, is it
dangerous, where are they."""
from dataclasses import FrozenInstanceError

import pytest

from claims.enums import ServiceType
from claims.roadside.answers import (
    LocationProblem, LocationReading, extract_location_phrase, read_hazard, read_location_text, read_service_type,
)

TOW, JUMP, TYRE, FUEL, LOCK, WINCH = (ServiceType.tow, ServiceType.jump_start, ServiceType.tyre_change,
                                      ServiceType.fuel, ServiceType.lockout, ServiceType.winch)

# ------------------------------------------------------------------------------------------ which service


@pytest.mark.parametrize("button", list(ServiceType))
def test_a_button_value_is_its_service(button):
    assert read_service_type(button.value) is button
    assert read_service_type(f" {button.value.upper()} ") is button


@pytest.mark.parametrize("typed, expected", [
    # tow
    ("need a tow truck", TOW), ("tow truk pls asap", TOW), ("can u send a towtruck", TOW),
    ("i need my car towed home", TOW), ("towing needed on the G60", TOW), ("send a flatbed please", TOW),
    ("need a flat bed", TOW), ("can i get a breakdown truck", TOW), ("need a recovery truck", TOW),
    ("gearbox is gone, need a trailer to take the car away", TOW), ("Need a TOW", TOW),
    ("要拖车", TOW), ("车坏半路上了 要拖走", TOW), ("帮忙拖一下", TOW), ("帮我叫个拖车", TOW), ("派个板车过来", TOW),
    ("帮忙拖到修理厂", TOW), ("need 拖车 on the G15", TOW),
    # jump start
    ("the battery is dead", JUMP), ("battery flat again", JUMP), ("my battery died overnight", JUMP),
    ("batery dead pls help", JUMP), ("battary is totally drained", JUMP), ("dead battery, car won't start", JUMP),
    ("i think i have a flat battery", JUMP), ("need a jump start", JUMP),
    ("jumpstart needed at wanda plaza", JUMP),
    ("can someone give me a jump", JUMP), ("need a battery boost asap", JUMP),
    ("car won't start, it's the battery", JUMP),
    ("the battery's dead", JUMP), ("the battery’s dead", JUMP), ("ＢＡＴＴＥＲＹ ＤＥＡＤ", JUMP),
    ("电瓶没电了", JUMP), ("早上起来电瓶亏电了", JUMP), ("车没电了 打不着火", JUMP), ("能来搭电吗", JUMP),
    ("要搭个电", JUMP), ("电瓶打不着火", JUMP), ("车停了一个礼拜 没电了", JUMP), ("my car 没电了", JUMP),
    # tyre change
    ("i have a flat tyre", TYRE), ("flat tire on the highway", TYRE), ("got a puncture", TYRE),
    ("punctured tyre", TYRE), ("blowout on the way to the airport", TYRE), ("i blew a tyre", TYRE),
    ("tyre burst on the G4", TYRE), ("my tire blew out near exit 23", TYRE), ("front left tyre is flat", TYRE),
    ("got a flat", TYRE), ("need help putting on the spare wheel", TYRE), ("can someone change my tyre", TYRE),
    ("flat tyer", TYRE), ("高速上爆胎了", TYRE), ("轮胎扎胎了", TYRE), ("胎没气了", TYRE), ("左前轮胎瘪了", TYRE),
    ("需要换胎", TYRE), ("能来帮我换备胎吗", TYRE), ("后轮被扎了", TYRE), ("车胎破了", TYRE),
    # fuel
    ("ran out of petrol", FUEL), ("out of gas on the expressway", FUEL), ("out of diesel", FUEL),
    ("i run out of gas so stupid", FUEL), ("no fuel left", FUEL), ("stuck with an empty tank", FUEL),
    ("the tank is empty", FUEL), ("outta gas", FUEL), ("need fuel delivery", FUEL),
    ("can u bring some petrol", FUEL),
    ("车没油了", FUEL), ("没油了", FUEL), ("油用完了 车停在半路", FUEL), ("能送油吗", FUEL), ("需要加油救援", FUEL),
    ("车没有油了", FUEL), ("油箱空了", FUEL),
    # lockout
    ("locked out of my car", LOCK), ("i locked my keys in the car", LOCK), ("keys locked inside", LOCK),
    ("locked myself out at the mall", LOCK), ("lost my car key at the beach", LOCK),
    ("key stuck in the door", LOCK),
    ("cant get into my car, the keys are inside", LOCK), ("key locked in car pls send someone", LOCK),
    ("need a locksmith", LOCK), ("钥匙锁车里了", LOCK), ("钥匙锁车里了 孩子还在车上", LOCK), ("车钥匙丢了", LOCK),
    ("需要开锁", LOCK), ("进不去车", LOCK), ("下车把钥匙落车里了", LOCK), ("钥匙反锁在车里了", LOCK),
    # winch
    ("stuck in mud", WINCH), ("stuck in the mud, can't get out", WINCH),
    ("car is stuck in the sand at the beach", WINCH),
    ("wheels stuck in the snow", WINCH), ("slid into a ditch", WINCH), ("my front wheel is in a ditch", WINCH),
    ("can't get out of the mud", WINCH), ("need to be pulled out", WINCH), ("can someone pull me out", WINCH),
    ("need a winch", WINCH), ("bogged down in a field", WINCH), ("车陷进泥里了", WINCH), ("陷坑里了", WINCH),
    ("车掉沟里了", WINCH), ("卡住出不来了", WINCH), ("能来把车拉出来吗", WINCH), ("需要吊车", WINCH),
    ("车陷雪地里了 一动不动", WINCH), ("slid into the ditch", WINCH), ("need help getting out of the snow", WINCH),
    ("车掉坑里了", WINCH), ("在泥地里打滑出不来", WINCH), ("钥匙在车里 门锁了", LOCK), ("车开到田里陷住了", WINCH),
    ("can you jump my car", JUMP),
])
def test_services_named_in_free_text(typed, expected):
    assert read_service_type(typed) is expected


@pytest.mark.parametrize("typed, expected", [
    ("flat tyre and no spare, need a tow", TOW),  # a named tow truck wins over the cause
    ("battery dead and i want it towed to the garage", TOW),
    ("stuck in the mud, need a tow truck", TOW),
    ("爆胎了 备胎也没气 叫拖车吧", TOW),
    ("陷泥坑里出不来了 要拖车拉一下", TOW),
    ("ran out of petrol and the battery is dead too", FUEL),  # otherwise the first named
    ("battery is dead and i also have a flat tyre", JUMP),
    ("没油了 电瓶也没电", FUEL),
    ("don't need a tow, just a jump start", JUMP),  # a refused service is not named
    ("no need for a tow truck, the tyre is flat", TYRE),
    ("不用拖车 搭个电就行", JUMP),
    ("不是电瓶的问题 是没油了", FUEL),
    ("car not starting, battery dead", JUMP),  # "not" in another clause refuses nothing
    ("要不要拖车啊 爆胎了", TOW),
    ("别家的拖车太贵 还是要你们的拖车", TOW), ("特别需要拖车", TOW), ("别派拖车 搭电就行", JUMP),
])
def test_two_services_in_one_message(typed, expected):
    assert read_service_type(typed) is expected


@pytest.mark.parametrize("typed", [
    "my car broke down", "car won't start", "my car won't move at all", "car won't drive at all",
    "engine died on the expressway", "need roadside assistance", "help", "", "   ", "car is making a weird noise",
    "locked the door and went shopping", "the gas station is closed", "phone battery is low", "my flat is nearby",
    "车坏了", "车抛锚了", "车打不着火了", "车坏在路上了 怎么办", "道路救援", "手机快没电了", "发动机冒烟了",
    "被电瓶车撞了", "机油没了", "踩油门没反应", "拖了很久还没修好", "i'm at the petrol station, car won't start",
])
def test_vague_messages_name_no_service(typed):
    assert read_service_type(typed) is None


# -------------------------------------------------------------------------------------------- is it safe


@pytest.mark.parametrize("typed", [
    "flat tyre on the motorway", "broke down on the expressway", "stuck on the highway", "on the hard shoulder",
    "parked in the emergency lane", "car died on the outer ring road", "stalled on the middle ring",
    "on the elevated road near jingan", "stopped on the bridge", "car stalled at the tunnel exit",
    "G15 near exit 32", "stuck on g60", "on the S20 going north", "on the G1501 near the airport",
    "i'm in the middle of the road", "car died in the middle lane", "traffic is flying past me",
    "cars are speeding past", "there's smoke coming from the bonnet", "engine is on fire",
    "fuel leaking under the car",
    "i feel unsafe here", "its dangerous here", "im scared, its dark", "it's not safe to get out",
    "在高速上爆胎了", "快速路上没油了", "高架上抛锚了", "停在应急车道上", "在隧道里熄火了", "在东海大桥上",
    "车停在路中间", "好危险", "车冒烟了", "发动机着火了", "底下在漏油", "我好害怕", "旁边车很多",
    "沈海高速G15往宁波方向", "Ｇ１５", "Ｇ１５上爆胎了", "中环上没电了",
])
def test_dangerous_places_and_fears(typed):
    assert read_hazard(typed) is True


@pytest.mark.parametrize("typed", [
    "in my office car park", "小区地库", "at home", "outside my building", "in the underground car park at wanda",
    "parked at the mall", "my battery is dead", "we are safe, pulled into a side street",
    "no smoke, just won't start",
    "it's not dangerous, i'm in a car park", "near the fire station on huashan road", "plate 沪A6K215",
    "my car 沪G12345 won't start", "car is 粤B·D12345", "车牌沪A6K215 没电了", "公司停车场 电瓶没电",
    "在家门口爆胎了", "没有危险 就是打不着火", "不害怕 就是着急", "没冒烟", "at the 4S shop", "在4S店门口",
    "car won't start at the gas station", "i'm at 88 century avenue", "", "iphone battery dying",
])
def test_safe_places(typed):
    assert read_hazard(typed) is False


# ------------------------------------------------------------------------------------------------- where


def test_location_reading_is_frozen():
    with pytest.raises(FrozenInstanceError):
        LocationReading(ok=True, value="x").value = "y"  # type: ignore[misc]


@pytest.mark.parametrize("typed, value", [
    ("88 Century Avenue", "88 Century Avenue"), ("  88   Century  Avenue ", "88 Century Avenue"),
    ("世纪大道88号", "世纪大道88号"), ("世纪大道８８号", "世纪大道88号"), ("G15 northbound km 1032", "G15 northbound km 1032"),
    ("沈海高速往上海方向1032公里处", "沈海高速往上海方向1032公里处"),
    ("near the Jinqiao exit of the middle ring", "near the Jinqiao exit of the middle ring"),
    ("人民广场地下停车场B2", "人民广场地下停车场B2"), ("人民广场地下停车场Ｂ２", "人民广场地下停车场B2"),
    ("Pudong airport T2 departures", "Pudong airport T2 departures"), ("虹桥火车站南广场", "虹桥火车站南广场"),
    ("虹桥站", "虹桥站"), ("wanda plaza car park level 2", "wanda plaza car park level 2"),
    ("on the highway near exit 32", "on the highway near exit 32"),
    ("S20 outer ring, exit 5", "S20 outer ring, exit 5"),
    ("i'm at the ikea in xuhui", "i'm at the ikea in xuhui"), ("idk the road name but next to ikea xuhui",
                                                                "idk the road name but next to ikea xuhui"),
    ("南京西路1266号", "南京西路1266号"), ("G60沪昆高速松江出口", "G60沪昆高速松江出口"), ("在G15上 往宁波方向", "在G15上 往宁波方向"),
    ("广州天河体育中心北门", "广州天河体育中心北门"), ("深圳宝安机场T3停车场", "深圳宝安机场T3停车场"),
    ("Lujiazui, next to the IFC mall", "Lujiazui, next to the IFC mall"), ("ｈｏｎｇｑｉａｏ ｓｔａｔｉｏｎ", "hongqiao station"),
    ("Century Ave 88号 门口", "Century Ave 88号 门口"), ("jiading anting toll gate", "jiading anting toll gate"),
])
def test_locations_a_truck_can_find(typed, value):
    assert read_location_text(typed) == LocationReading(ok=True, value=value)


@pytest.mark.parametrize("typed, problem", [
    ("here", LocationProblem.vague), ("right here", LocationProblem.vague), ("Here.", LocationProblem.vague),
    ("on the road", LocationProblem.vague), ("on the highway", LocationProblem.vague),
    ("on the side of the road", LocationProblem.vague), ("in the middle of the road", LocationProblem.vague),
    ("idk", LocationProblem.vague), ("i don't know", LocationProblem.vague), ("not sure", LocationProblem.vague),
    ("somewhere near the city", LocationProblem.vague), ("in my office car park", LocationProblem.vague),
    ("at home", LocationProblem.vague), ("在这", LocationProblem.vague), ("这里", LocationProblem.vague),
    ("路上", LocationProblem.vague), ("高速上", LocationProblem.vague), ("在高速公路上", LocationProblem.vague),
    ("不知道", LocationProblem.vague), ("不清楚", LocationProblem.vague), ("不知道在哪", LocationProblem.vague),
    ("小区地库", LocationProblem.vague), ("路边", LocationProblem.vague),
    ("ok", LocationProblem.vague), ("on the outer ring road", LocationProblem.vague),
    ("中环上", LocationProblem.vague),
    ("G15", LocationProblem.too_short), ("T2", LocationProblem.too_short), ("x", LocationProblem.too_short),
    ("ab", LocationProblem.too_short),
    ("", LocationProblem.too_short), ("   ", LocationProblem.too_short), ("浦东", LocationProblem.too_short),
    ("asdfgh", LocationProblem.nonsense), ("qwerty", LocationProblem.nonsense),
    ("sdfsdf", LocationProblem.nonsense),
    ("jkl;jkl", LocationProblem.nonsense), ("???", LocationProblem.nonsense), ("123", LocationProblem.nonsense),
    ("88888", LocationProblem.nonsense), ("!!!!", LocationProblem.nonsense), ("🚗🚗", LocationProblem.nonsense),
    ("aaaaaa", LocationProblem.nonsense), ("啊啊啊啊", LocationProblem.nonsense),
])
def test_locations_refused(typed, problem):
    reading = read_location_text(typed)
    assert reading == LocationReading(ok=False, problem=problem)


@pytest.mark.parametrize("typed, phrase", [
    ("flat tyre on the G15 near exit 32", "G15 near exit 32"),
    ("my battery is dead, I'm at 88 Century Avenue", "88 Century Avenue"),
    ("我在沈海高速G15往宁波方向 爆胎了", "沈海高速G15往宁波方向"),
    ("我在沈海高速G15往宁波方向爆胎了", "沈海高速G15往宁波方向"),
    ("got a puncture at wanda plaza", "wanda plaza"),
    ("need a tow on the G60 near songjiang", "G60 near songjiang"),
    ("stuck on the S20 outer ring near exit 5, pls hurry", "S20 outer ring near exit 5"),
    ("locked my keys in the car at Pudong airport T2 departures", "Pudong airport T2 departures"),
    ("ran out of gas near the Jinqiao exit of the middle ring", "near the Jinqiao exit of the middle ring"),
    ("at 3pm on the G60 near exit 5 i got a flat", "G60 near exit 5"),
    ("battery dead at 1266 nanjing west road need a jump", "1266 nanjing west road"),
    ("Ｆｌａｔ ｔｙｒｅ ｏｎ ｔｈｅ Ｇ１５ ｎｅａｒ ｅｘｉｔ ３２", "G15 near exit 32"),
    ("我在世纪大道88号 车没电了", "世纪大道88号"),
    ("我在人民广场停车场 电瓶没电了", "人民广场停车场"),
    ("车停在虹桥火车站南广场 钥匙锁车里了", "虹桥火车站南广场"),
    ("我现在在G60沪昆高速松江出口附近 没油了", "G60沪昆高速松江出口附近"),
    ("电瓶没电 我在南京西路1266号", "南京西路1266号"),
    ("车在中环金桥出口 爆胎了", "中环金桥出口"),
    ("flat tyre 我在沪昆高速往杭州方向", "沪昆高速往杭州方向"),
])
def test_places_inside_a_first_message(typed, phrase):
    assert extract_location_phrase(typed) == phrase


@pytest.mark.parametrize("typed", [
    "爆胎了", "my battery is dead, I'm on the highway", "my battery is dead", "flat tyre on the road",
    "car won't move at all", "battery died in the office parking", "lost my car key at the beach",
    "on my way to Hongqiao airport, flat tyre", "locked the keys in the car", "stuck in the mud",
    "i'm here", "i'm at home", "i'm in pudong", "车在高速上抛锚了", "我在这", "我在路边 没油了", "我在小区地库 电瓶没电",
    "我正在等拖车", "现在爆胎了", "stuck on the G15", "at the mall, locked out", "help im on the side of the road",
    "breakdown at night", "car stopped in the middle lane on the outer ring road", "车在中环上没油了",
    "in a bit of trouble, battery dead", "", "我在不知道什么地方 车坏了",
])
def test_no_place_when_unsure(typed):
    assert extract_location_phrase(typed) is None


@pytest.mark.parametrize("text, place", [
    ("车在高速上突然熄火了 动不了 要拖车", None),  # "on the motorway, suddenly": no which road
    ("车在路上突然熄火了 动不了 要拖车", None),
    ("我在沈海高速G15往宁波方向 刚刚爆胎了", "沈海高速G15往宁波方向"),
    ("我在延安路高架刚才没油了", "延安路高架"),
])
def test_a_first_message_with_an_adverb_after_the_place(text, place):
    assert extract_location_phrase(text) == place
