"""Properties of the view casters under random inputs (hypothesis, a fixed seed): random dtypes, shapes up to
rank 5 with sizes 0 to 4, step slices with offsets, permutations, broadcasts and zero strides, from torch tensors
and numpy arrays (read-only, unaligned, reversed), passed as themselves, as DLPack capsules or through a DLPack
producer. torch and numpy are the oracle: an exact const view reads exactly what the source holds where its memory
can be viewed, and a converting one reads its values always; an accepted writable view writes exactly the source's
elements and no other byte of its memory; a refusal is a TypeError or ValueError in the one refusal format, for a
reason listed in docs/refusals.md, and only where the documented rules refuse; nothing crashes."""
import os
import re
import subprocess
import sys

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from casters_common import *  # noqa: F401,F403 (m, numpy as np, torch, pytest, Producer)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DTYPES_BOTH = ["bool", "uint8", "int16", "int32", "int64", "float32", "float64", "complex64"]
FORMAT = re.compile(r"^(x(?:array|tensor)_view<.+?>) parameter: (.+) \(found (.+), expected (.+)\)\. (.+)$",
                    re.DOTALL)
SETTINGS = settings(max_examples=int(os.environ.get("XTENSOR_TORCH_PROPERTY_EXAMPLES", "150")), deadline=None,
                    derandomize=True, suppress_health_check=list(HealthCheck), database=None)


def documented_problems():
    """The refusal problems docs/refusals.md lists (checked against the headers by refusals.doc), as patterns."""
    out = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "readme", "refusals_doc.py"), ROOT, "--list"],
                         check=True, capture_output=True, text=True).stdout
    return [re.compile("^" + ".+".join(re.escape(part) for part in line.split("{}")) + "$")
            for line in out.splitlines() if line.strip()]


PROBLEMS = documented_problems()


@st.composite
def sources(draw):
    """(framework, dtype, the array, the positions of its elements in its base buffer, the base buffer, flags)."""
    dtype = draw(st.sampled_from(DTYPES_BOTH))
    framework = draw(st.sampled_from(["torch", "numpy"]))
    rank = draw(st.integers(0, 5))
    shape = draw(st.lists(st.integers(0, 4), min_size=rank, max_size=rank))
    n = int(np.prod([s + 2 for s in shape])) if shape else 1
    # The base buffer holds distinct values; the same operations over an index buffer give each element's position.
    values = (np.arange(n) % 7 + 1).astype(dtype)
    unaligned = framework == "numpy" and dtype not in ("bool", "uint8") and draw(st.booleans())
    if unaligned:
        raw = np.zeros(values.nbytes + values.itemsize, dtype=np.uint8)
        base = raw[1:values.nbytes + 1].view(dtype)
        base[...] = values
    else:
        base = values.copy()
    index = np.arange(n)
    # A strided view of the base: a reshape with room, then step slices with offsets, a permutation, broadcasts.
    padded = [s + 2 for s in shape]
    x, i = base.reshape(padded), index.reshape(padded)
    slices = []
    for size in shape:
        start = draw(st.integers(0, 2))
        step = draw(st.integers(1, 2))
        stop = start + step * size
        if stop > size + 2:  # keep `size` elements inside the padded dimension
            start, step = 0, 1
        slices.append(slice(start, start + step * size, step))
    if rank:  # indexing a 0-d array with () gives a scalar, not an array
        x, i = x[tuple(slices)], i[tuple(slices)]
    if rank >= 2 and draw(st.booleans()):
        order = draw(st.permutations(range(rank)))
        x, i = x.transpose(order), i.transpose(order)
    if framework == "numpy" and rank >= 1 and draw(st.booleans()):
        x, i = x[::-1], i[::-1]  # a negative stride: numpy has them, torch does not
    if rank >= 1 and draw(st.integers(0, 3)) == 0:  # a broadcast: a new leading dimension of stride 0
        times = draw(st.integers(1, 3))
        x = np.broadcast_to(x, (times,) + x.shape)
        i = np.broadcast_to(i, (times,) + i.shape)
    read_only = framework == "numpy" and draw(st.integers(0, 3)) == 0
    if framework == "torch":
        base_t = torch.from_numpy(base)  # the same memory: positions and values carry over
        first = int(i[(0,) * i.ndim]) if i.size else 0  # the first element's position is the storage offset
        x = torch.as_strided(base_t, x.shape, [s // base.itemsize for s in x.strides], first)
    elif read_only:
        x = x.view()
        x.flags.writeable = False
    return framework, dtype, x, np.asarray(i), base, {"unaligned": unaligned, "read_only": read_only}


def passed_as(x, how):
    if how == "capsule":
        return x.__dlpack__()
    if how == "producer":
        return Producer(x)
    return x


def check_refusal(error):
    """A refusal in the one format, for a documented reason."""
    match = FORMAT.match(str(error))
    assert match, str(error)
    assert any(p.match(match.group(2)) for p in PROBLEMS), "undocumented problem: " + match.group(2)


def negative_strides(x):
    """Negative strides on a dimension longer than 1 (refused as torch.from_numpy refuses them, empty or not)."""
    return isinstance(x, np.ndarray) and any(s < 0 and n > 1 for s, n in zip(x.strides, x.shape))


def elements_meet(positions):
    return positions.size != np.unique(positions).size


def dlpack_refuses(x, how):
    """Whether the source's own __dlpack__ refuses to export it (numpy: read-only arrays before numpy 2.1 or
    without max_version, ...): then no caster sees it."""
    if how == "direct":
        return False
    try:
        x.__dlpack__()
        return False
    except (BufferError, TypeError, RuntimeError):
        return True


def misaligned(x, flags):
    return flags["unaligned"] and x.size > 0  # an empty array has no element to misalign


def read_only(x):
    return isinstance(x, np.ndarray) and not x.flags.writeable


@SETTINGS
@given(sources(), st.sampled_from(["direct", "capsule", "producer"]))
def test_a_const_view_reads_exactly_what_the_source_holds(source, how):
    """Exact (noconvert): a view of the source's own memory, or no match; converting: always the source's values."""
    framework, dtype, x, positions, base, flags = source
    expected = np.array(x, copy=True) if framework == "numpy" else x.numpy().copy()
    if dlpack_refuses(x, how):
        return
    viewable = not negative_strides(x) and not misaligned(x, flags)
    if how != "direct" and x.size == 0:
        viewable = None  # numpy may export an empty array's strides as it likes: either answer is right
    try:
        got = getattr(m, "read_exact_" + dtype)(passed_as(x, how))
        event("%s %s: viewed" % (framework, how))
    except TypeError as e:
        assert "incompatible function arguments" in str(e), str(e)
        assert viewable is not True, "an exact const view refused a source it can view"
        event("%s %s: no exact match" % (framework, how))
    else:
        assert viewable is not False, "an exact const view accepted what it cannot view"
        np.testing.assert_array_equal(got.numpy(), expected)
    # With conversions, whatever could not be viewed is read from a copy; except a DLPack tensor with unaligned
    # memory or negative strides, which torch's own from_dlpack refuses too: refused, as the producer's to fix.
    if how != "direct" and viewable is False:
        with pytest.raises(ValueError) as e:
            getattr(m, "read_" + dtype)(passed_as(x, how))
        check_refusal(e.value)
        return
    try:
        got = getattr(m, "read_" + dtype)(passed_as(x, how))
    except ValueError as e:
        # An empty array exported with negative strides (numpy 2.4 keeps them): refused as any DLPack tensor
        # with negative strides is, which is one of the answers an empty export allows.
        assert viewable is None, "a converting const view refused a source it can read: " + str(e)
        check_refusal(e)
        assert "negative" in str(e), str(e)
        return
    np.testing.assert_array_equal(got.numpy(), expected)


@SETTINGS
@given(sources(), st.sampled_from(["direct", "capsule", "producer"]))
def test_a_writable_view_writes_exactly_the_sources_elements(source, how):
    framework, dtype, x, positions, base, flags = source
    if dlpack_refuses(x, how) or dtype in ("uint8", "int16") and positions.size * 10 > np.iinfo(dtype).max:
        return  # numpy refused to export it; or 10 * index would not fit the dtype
    before = base.copy()
    must_refuse = negative_strides(x) or misaligned(x, flags) or read_only(x) or elements_meet(positions)
    if how != "direct" and x.size == 0:
        must_refuse = None  # numpy may export an empty array's strides as it likes: either answer is right
    try:
        getattr(m, "fill_" + dtype)(passed_as(x, how))
    except (TypeError, ValueError) as e:
        event("%s %s: refused: %s" % (framework, how, FORMAT.match(str(e)).group(2) if FORMAT.match(str(e)) else e))
        check_refusal(e)
        assert must_refuse is not False, "a writable view refused a source it can write: " + str(e)
        np.testing.assert_array_equal(base, before)  # a refusal writes nothing
        return
    event("%s %s: written" % (framework, how))
    assert must_refuse is not True, "a writable view accepted what it must refuse"
    # Each element got 10 * its row-major index; every other byte of the base is as it was.
    expected = before.copy()
    expected[positions.reshape(-1)] = (np.arange(positions.size) * 10).astype(dtype)
    np.testing.assert_array_equal(base, expected)


@SETTINGS
@given(sources(), st.sampled_from(["float32", "float64", "int64"]))
def test_another_dtype_is_refused_as_a_type_error_and_leaves_a_capsule_usable(source, other):
    """A writable view of another dtype refuses without consuming the capsule, which a matching call then takes."""
    framework, dtype, x, positions, base, flags = source
    if other == dtype or dlpack_refuses(x, "capsule") or negative_strides(x) or misaligned(x, flags):
        return
    capsule = x.__dlpack__()
    with pytest.raises(TypeError) as e:
        getattr(m, "fill_" + other)(capsule)  # a writable view: no conversion
    check_refusal(e.value)
    assert "dtype mismatch" in str(e.value)
    expected = np.array(x, copy=True) if framework == "numpy" else x.numpy().copy()
    np.testing.assert_array_equal(getattr(m, "read_" + dtype)(capsule).numpy(), expected)
