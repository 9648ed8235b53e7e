"""The API's parameter readers (api/common.py) and WebFinger's resource reader under random input:
Params answers a value or a 422 (Invalid), ids and cursors a number or nothing, never anything
else; parse_resource answers a Resource or raises BadRequest or NotFound."""

from __future__ import annotations

from typing import Any

from fuzzkit import JSON, TRICKY_STRINGS
from hypothesis import given
from hypothesis import strategies as st

from fedihub.activitypub import webfinger
from fedihub.api import common
from fedihub.errors import BadRequest, Invalid, NotFound

NAMES = st.sampled_from(
    [
        "limit",
        "max_id",
        "id",
        "id[]",
        "source",
        "source[privacy]",
        "poll[options][]",
        "fields_attributes",
        "fields_attributes[0][name]",
        "fields_attributes[x][value]",
        "media_ids[]",
        "offset",
        "duration",
        "exclude_types[]",
        "q",
    ]
)
# what a form, a query string or a JSON body can put in a value
FORM_VALUES = (
    st.text(max_size=30)
    | st.from_regex(r"[+-]?[0-9]{1,45}", fullmatch=True)
    | st.sampled_from(["", " 12 ", "²", "١٢", "1e3", "0x10", "nan", "inf", "-0", "true", "on"])
)
VALUES = st.dictionaries(
    NAMES | st.text(max_size=12), st.lists(FORM_VALUES | JSON, min_size=1, max_size=3), max_size=8
)


@given(VALUES, NAMES)
def test_params_answer_a_value_or_a_422(values: dict[str, list[Any]], name: str) -> None:
    p = common.Params(values, {})
    p.has(name)
    p.raw(name)
    p.bool(name)
    p.list(name)
    p.hash(name)
    p.rows(name)
    for read in (
        lambda: p.str(name),
        lambda: p.int(name),
        lambda: p.int(name, 20, low=1, high=40, clamp=True),
        lambda: p.int(name, low=0, high=2**31 - 1),
        lambda: p.offset(name),
    ):
        try:
            value = read()
        except Invalid as exc:
            assert exc.status == 422 and exc.field == name
            continue
        assert value is None or isinstance(value, str | int)
    clamped = p.int(name, 20, low=1, high=40, clamp=True) if _whole(p.raw(name)) else 20
    assert clamped is not None and 1 <= clamped <= 40


def _whole(value: Any) -> bool:
    try:
        common.Params({"n": [value]}, {}).int("n")
    except Invalid:
        return False
    return True


@given(FORM_VALUES | JSON)
def test_ids_are_64_bit_positive_numbers_or_not_found(raw: Any) -> None:
    value = common.id_or_none(raw)
    assert value is None or 0 < value <= common.MAX_ID
    try:
        assert common.parse_id(raw) == value
    except NotFound:
        assert value is None
    common.to_bool(raw)
    digits = common.digits(raw)
    assert digits is None or digits >= 0


@given(
    st.text(max_size=60)
    | TRICKY_STRINGS
    | st.builds(
        "{}{}@{}".format,
        st.sampled_from(["", "acct:", "ACCT:", "@", "acct:@", "http:", "mailto:"]),
        st.text(max_size=12),
        st.sampled_from(["fedihub.test", "FEDIHUB.test", "localhost:8000", "", "[::1]", "x/y"])
        | st.text(max_size=12),
    )
    | st.builds(
        "{}://{}/{}".format,
        st.sampled_from(["https", "http", "HTTPS", "ftp"]),
        st.text(max_size=16),
        st.text(max_size=16),
    )
)
def test_webfinger_resources_read_or_raise_bad_request(value: str) -> None:
    try:
        resource = webfinger.parse_resource(value)
    except (BadRequest, NotFound):
        return
    assert resource.kind in ("acct", "uri")
    assert resource.host == resource.host.lower() and resource.host
    if resource.kind == "acct":
        assert resource.name and "@" not in resource.name
