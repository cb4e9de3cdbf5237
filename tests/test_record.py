"""Records (trtsetup/record.py): what the facts and the plan are made of, as code using them
sees it — construction, defaults, immutability, equality, copies with changes, JSON."""

from typing import Dict, Optional

import pytest

from trtsetup.facts import CudaToolkit, Facts, Gpu, facts_from_json, to_json
from trtsetup.record import FrozenRecordError, factory, fields, is_record, record, replace


@record
class Point:
    x: int
    y: int = 0
    tags: Dict[str, str] = factory(dict)
    label: Optional[str] = None


def test_fields_in_order_with_defaults_and_positional_arguments():
    p = Point(1, label="a")
    assert fields(Point) == ("x", "y", "tags", "label") and fields(p) == fields(Point)
    assert (p.x, p.y, p.tags, p.label) == (1, 0, {}, "a")
    assert repr(p) == "Point(x=1, y=0, tags={}, label='a')"
    assert Point(1).tags is not Point(1).tags  # a factory default is made anew each time


def test_wrong_arguments_say_what_is_wrong():
    with pytest.raises(TypeError, match="missing required argument 'x'"):
        Point()
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        Point(1, z=2)
    with pytest.raises(TypeError, match="multiple values for argument 'x'"):
        Point(1, x=2)
    with pytest.raises(TypeError, match="takes 4 positional arguments but 5"):
        Point(1, 2, {}, "a", "b")


def test_records_never_change_and_replace_copies():
    p = Point(1)
    with pytest.raises(FrozenRecordError):
        p.x = 2
    with pytest.raises(AttributeError):  # FrozenRecordError is one, as dataclasses' is
        del p.y
    q = replace(p, y=5)
    assert (p.y, q.y, q.x) == (0, 5, 1)
    with pytest.raises(TypeError, match="no field 'z'"):
        replace(p, z=1)


def test_equal_by_value_hashable_when_the_values_are():
    assert Gpu(0, "NVIDIA H200", "9.0") == Gpu(index=0, name="NVIDIA H200", compute_capability="9.0")
    assert Gpu(0) != Gpu(1) and Gpu(0) != (0, None, None, None)
    assert len({Gpu(0), Gpu(0), Gpu(1)}) == 2
    with pytest.raises(TypeError):  # a dict field: unhashable, as a tuple holding a dict
        hash(Point(1))
    assert is_record(Gpu()) and not is_record(Gpu) and not is_record({"index": 0})


def test_a_shared_mutable_default_or_a_required_field_after_a_default_is_refused():
    with pytest.raises(TypeError, match="use factory"):
        @record
        class Bad:
            names: list = []
    with pytest.raises(TypeError, match="required field after 'a'"):
        @record
        class Order:
            a: int = 0
            b: int


def test_a_record_extends_a_base_record():
    @record
    class Point3(Point):
        z: int = 0
    p = Point3(1, 2, z=3)
    assert fields(p) == ("x", "y", "tags", "label", "z") and p != Point(1, 2)


def test_facts_round_trip_through_json():
    facts = Facts(gpus=(Gpu(0, "NVIDIA H200", "9.0", 143771),),
                  cuda=CudaToolkit(version="13.0.88", homes=("/usr/local/cuda-13.0",)))
    doc = to_json(facts)
    assert doc["gpus"] == [{"index": 0, "name": "NVIDIA H200", "compute_capability": "9.0", "memory_mib": 143771}]
    assert facts_from_json(facts.to_json()) == facts
