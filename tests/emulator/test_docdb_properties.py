"""Properties of the document database checked over generated JSON documents."""

from __future__ import annotations

import io
import itertools
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from aiompsls.emulator.docdb import SpaceDB
from aiompsls.emulator.docdb.projection import compile_sort, sort_compare, sort_value
from aiompsls.emulator.docdb.query import compile_filter
from aiompsls.emulator.docdb.update import compile_update
from aiompsls.emulator.docdb.values import compare

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
keys = st.text(alphabet="abcxyz_", min_size=1, max_size=4)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4)
    ),
    max_leaves=12,
)
documents = st.dictionaries(keys, values, max_size=5)
ids = st.text(max_size=10) | st.integers(-(10**6), 10**6)
QUICK = settings(max_examples=60, deadline=None)


def _run(space, command, collection="c", **fields):
    body = {"command": command, "collection": collection, **fields}
    return json.loads(space.run(body).result)


@QUICK
@given(doc=documents, doc_id=ids)
def test_a_document_inserted_is_found_by_its_id(doc, doc_id):
    space = SpaceDB.in_memory()
    stored = {"_id": doc_id, **doc}
    _run(space, "insertOne", doc=stored)
    assert _run(space, "findOne", query={"_id": doc_id}) == stored
    assert _run(space, "find", query={"_id": doc_id}) == [stored]


@QUICK
@given(docs=st.lists(documents, max_size=6))
def test_an_export_imports_back_as_the_same_documents(docs):
    space = SpaceDB.in_memory()
    if docs:
        _run(space, "insertMany", docs=docs)
    else:
        space.collection("c").create()
    out = io.BytesIO()
    space.export("c", out, "JSON")
    copy = SpaceDB.in_memory()
    counts = copy.import_file("c", io.BytesIO(out.getvalue()), "JSON", "INSERT")
    assert (counts.success, counts.failed) == (len(docs), 0)
    assert list(copy.documents("c")) == list(space.documents("c"))


@QUICK
@given(
    start=st.integers(-1000, 1000),
    steps=st.lists(st.integers(-1000, 1000), min_size=1, max_size=5),
)
def test_inc_steps_commute_and_add_up(start, steps):
    doc = {"_id": 1, "n": start}
    forward = backward = doc
    for step in steps:
        forward = compile_update({"$inc": {"n": step}}).apply(forward)
    for step in reversed(steps):
        backward = compile_update({"$inc": {"n": step}}).apply(backward)
    assert forward == backward == {"_id": 1, "n": start + sum(steps)}


@QUICK
@given(left=values, right=values, third=values)
def test_compare_is_a_total_preorder(left, right, third):
    assert compare(left, left) == 0
    assert compare(left, right) == -compare(right, left)
    if compare(left, right) <= 0 and compare(right, third) <= 0:
        assert compare(left, third) <= 0


@QUICK
@given(docs=st.lists(documents, max_size=8), descending=st.booleans())
def test_a_sort_orders_by_the_key_and_keeps_ties_in_insertion_order(docs, descending):
    tagged = [{**doc, "_seq": index} for index, doc in enumerate(docs)]
    sorter = compile_sort({"a": -1 if descending else 1})
    assert sorter is not None
    ordered = sorter(tagged)
    assert sorted(d["_seq"] for d in ordered) == list(range(len(docs)))
    for first, second in itertools.pairwise(ordered):
        order = sort_compare(
            sort_value(first, ["a"], descending), sort_value(second, ["a"], descending)
        )
        assert (order >= 0) if descending else (order <= 0)
        if order == 0:
            assert first["_seq"] < second["_seq"]


@QUICK
@given(
    numbers=st.lists(st.integers(-50, 50), max_size=10),
    bound=st.integers(-50, 50),
)
def test_gt_selects_exactly_the_larger_numbers(numbers, bound):
    docs = [{"_id": i, "n": n} for i, n in enumerate(numbers)]
    test = compile_filter({"n": {"$gt": bound}})
    assert [d["n"] for d in docs if test(d)] == [n for n in numbers if n > bound]
