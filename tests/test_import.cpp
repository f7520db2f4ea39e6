// Tests of the import layer (detail/import.hpp, detail/call_site.hpp): every fault of settle_source, described for
// C++ and Python readers; every fault of every C++ source (xtensor expression, tensor, DLPack tensor) through the
// public call that meets it, checking the whole message; the one tensor builder and its owner; call names.
// numpy, the fourth source, is tested the same way from Python (tests/python/test_importers.py).
#include "test_common.hpp"

#include <functional>

using namespace xtorch_test;
using xtorch::detail::import_fault;

namespace
{
    /// A record of `n` doubles at `data`, contiguous, before settling.
    xtorch::detail::strided_source double_record(double* data, std::int64_t n)
    {
        xtorch::detail::strided_source s;
        s.data = data;
        s.g.sizes = {n};
        s.g.strides = {1};
        s.itemsize = sizeof(double);
        s.alignment = alignof(double);
        s.capacity = n;
        s.dtype = at::kDouble;
        return s;
    }

    /// A DLPack tensor built by hand over `values` (shape and strides given); released() counts its deleter.
    struct versioned_dl
    {
        std::vector<double> values;
        std::vector<std::int64_t> shape;
        std::vector<std::int64_t> strides;
        xtorch::dl_managed_tensor_versioned managed{};

        static int& released()
        {
            static int n = 0;
            return n;
        }

        versioned_dl(std::vector<std::int64_t> sh, std::vector<std::int64_t> st)
            : values(16, 1.0)
            , shape(std::move(sh))
            , strides(std::move(st))
        {
            managed.version = {1, 0};
            managed.dl_tensor.data = values.data();
            managed.dl_tensor.device = {kDLCPU, 0};
            managed.dl_tensor.ndim = static_cast<std::int32_t>(shape.size());
            managed.dl_tensor.dtype = {kDLFloat, 64, 1};
            managed.dl_tensor.shape = shape.data();
            managed.dl_tensor.strides = strides.data();
            managed.deleter = [](xtorch::dl_managed_tensor_versioned*) { ++released(); };
        }
    };

    /// One row of the source x fault table: the call, and the message it must throw, whole.
    struct refusal_case
    {
        const char* source;
        import_fault fault;
        std::function<void()> call;
        std::string message;
    };
}

TEST_CASE("settle_source: each fault found alone, in the documented order", "[import][refusal]")
{
    alignas(16) double memory[8] = {};
    SECTION("a clean record settles: span, and size-1 strides made contiguous")
    {
        auto s = double_record(memory, 4);
        s.g.sizes = {4, 1};
        s.g.strides = {1, 0};
        REQUIRE(xtorch::detail::settle_source(s, true) == import_fault::none);
        REQUIRE(s.g.span == 4);
        REQUIRE(s.g.strides[1] == 1);
    }
    SECTION("negative stride, before anything else")
    {
        auto s = double_record(memory, 4);
        s.g.strides = {-1};
        s.read_only = true;
        REQUIRE(xtorch::detail::settle_source(s, true) == import_fault::negative_stride);
        s.g.sizes = {1};  // a dimension of one element has no direction
        REQUIRE(xtorch::detail::settle_source(s, true) == import_fault::read_only);
    }
    SECTION("counts past int64")
    {
        auto s = double_record(memory, 4);
        s.g.sizes = {std::int64_t(1) << 62};
        s.g.strides = {4};
        s.capacity = -1;
        REQUIRE(xtorch::detail::settle_source(s, false) == import_fault::too_large);
        auto flagged = double_record(memory, 4);
        flagged.too_large = true;
        REQUIRE(xtorch::detail::settle_source(flagged, false) == import_fault::too_large);
    }
    SECTION("past the capacity, and not when the capacity is unknown")
    {
        auto s = double_record(memory, 4);
        s.offset = 1;
        REQUIRE(xtorch::detail::settle_source(s, false) == import_fault::outside_storage);
        s.capacity = -1;
        REQUIRE(xtorch::detail::settle_source(s, false) == import_fault::none);
    }
    SECTION("misaligned first element, and not when empty")
    {
        auto s = double_record(memory, 4);
        s.data = reinterpret_cast<char*>(memory) + 1;
        s.capacity = -1;
        REQUIRE(xtorch::detail::settle_source(s, false) == import_fault::misaligned);
        s.g.sizes = {0};
        REQUIRE(xtorch::detail::settle_source(s, false) == import_fault::none);
    }
    SECTION("read-only only where writable")
    {
        auto s = double_record(memory, 4);
        s.read_only = true;
        REQUIRE(xtorch::detail::settle_source(s, false) == import_fault::none);
        REQUIRE(xtorch::detail::settle_source(s, true) == import_fault::read_only);
    }
    SECTION("elements that may share memory, only where writable, after read-only")
    {
        auto s = double_record(memory, 4);
        s.g.sizes = {2, 3};
        s.g.strides = {0, 1};
        REQUIRE(xtorch::detail::settle_source(s, false) == import_fault::none);
        REQUIRE(xtorch::detail::settle_source(s, true) == import_fault::self_overlap);
        s.read_only = true;
        REQUIRE(xtorch::detail::settle_source(s, true) == import_fault::read_only);
    }
}

TEST_CASE("may_overlap: zero and interleaved strides, and the strides that nest", "[import]")
{
    auto overlaps = [](std::vector<std::int64_t> sizes, std::vector<std::int64_t> strides)
    {
        xtorch::detail::geometry g;
        g.sizes.assign(sizes.begin(), sizes.end());
        g.strides.assign(strides.begin(), strides.end());
        return xtorch::detail::may_overlap(g);
    };
    // shared memory
    REQUIRE(overlaps({2, 3}, {0, 1}));
    REQUIRE(overlaps({3, 4}, {0, 1}));
    REQUIRE(overlaps({2, 3}, {1, 1}));
    REQUIRE(overlaps({3, 2}, {1, 1}));
    REQUIRE(overlaps({2, 2, 2}, {2, 1, 1}));
    // each element apart: contiguous, transposed, step-sliced, permuted, gaps between rows
    REQUIRE_FALSE(overlaps({2, 3}, {3, 1}));
    REQUIRE_FALSE(overlaps({3, 2}, {1, 3}));
    REQUIRE_FALSE(overlaps({4, 3}, {6, 2}));
    REQUIRE_FALSE(overlaps({2, 3, 4}, {1, 8, 2}));
    REQUIRE_FALSE(overlaps({2, 2}, {3, 2}));  // offsets 0, 2, 3, 5
    // no dimension longer than 1, or no element at all, whatever the strides
    REQUIRE_FALSE(overlaps({1, 1}, {0, 0}));
    REQUIRE_FALSE(overlaps({5, 1}, {1, 0}));
    REQUIRE_FALSE(overlaps({0, 3}, {0, 0}));
    REQUIRE_FALSE(overlaps({}, {}));
    // Interleaved strides that never meet (offsets 0, 3, 2, 5, 4, 7) do not nest: counted as overlapping, the
    // documented price of a check that proves what it accepts.
    REQUIRE(overlaps({3, 2}, {2, 3}));
}

TEST_CASE("describe_import_fault: one wording, spelled for C++ and for Python", "[import][refusal]")
{
    alignas(16) double memory[8] = {};
    auto s = double_record(memory, 3);
    s.g.sizes = {3, 2};
    s.g.strides = {-2, 1};
    const auto cpp = xtorch::detail::describe_import_fault(import_fault::negative_stride, s, "expression",
                                                           xtorch::detail::audience::cpp);
    REQUIRE(
        cpp.problem
        == "at least one stride in the given expression is negative, and tensors with negative strides are not "
           "currently supported");
    REQUIRE(cpp.found == "strides [-2, 1]");
    REQUIRE(cpp.expected == "non-negative strides");
    s.byte_strides = true;  // numpy states strides in bytes, and its messages show them so
    const auto py = xtorch::detail::describe_import_fault(import_fault::negative_stride, s, "numpy array",
                                                          xtorch::detail::audience::python);
    REQUIRE(py.found == "strides (-16, 8) bytes");
    REQUIRE_THAT(py.problem, text::Contains("in the given numpy array is negative"));

    auto outside = double_record(memory, 3);
    outside.offset = 2;
    REQUIRE(xtorch::detail::settle_source(outside, false) == import_fault::outside_storage);
    const auto o = xtorch::detail::describe_import_fault(import_fault::outside_storage, outside, "tensor",
                                                         xtorch::detail::audience::cpp);
    REQUIRE(o.problem == "the tensor's sizes and strides reach outside its storage");
    REQUIRE(o.found == "last element at index 4");
    REQUIRE(o.expected == "an index below the storage size 3");
}

TEST_CASE("every fault of every C++ source, through the call that meets it", "[import][refusal]")
{
    xt::xarray<double> a = xt::arange<double>(6);
    const std::vector<refusal_case> cases = {
        {"expression", import_fault::negative_stride,
         [&] { xtorch::as_tensor(xt::view(a, xt::range(5, xt::placeholders::_, -2))); },
         "xtorch::as_tensor: at least one stride in the given expression is negative, and tensors with negative "
         "strides are not currently supported (found strides [-2], expected non-negative strides). Use "
         "xtorch::to_tensor(e) to copy it into a new tensor."},
        {"expression", import_fault::too_large,
         [&]
         {
             xtorch::as_tensor(xt::strided_view(a, std::vector<std::size_t>{std::size_t(1) << 61},
                                                std::vector<std::ptrdiff_t>{4}, 0, xt::layout_type::dynamic));
         },
         "xtorch::as_tensor: the expression's sizes and strides span more bytes than a tensor can address (found "
         "sizes [2305843009213693952] and strides [4], expected element and byte counts below 2^63). Convert a "
         "smaller view of the expression."},
        {"tensor", import_fault::outside_storage,
         []
         {
             at::Tensor t = at::zeros({4}, at::kDouble);
             t.unsafeGetTensorImpl()->set_sizes_and_strides(at::IntArrayRef{4}, at::IntArrayRef{2});
             xtorch::as_xarray<const double>(t);
         },
         "xtorch::as_xarray<const double>: the tensor's sizes and strides reach outside its storage (found last "
         "element at index 6, expected an index below the storage size 4). Make the tensor with sizes and strides "
         "that fit its storage."},
        {"tensor", import_fault::too_large,
         []
         {
             at::Tensor t = at::zeros({4}, at::kDouble);
             t.unsafeGetTensorImpl()->set_sizes_and_strides(at::IntArrayRef{std::int64_t(1) << 62},
                                                            at::IntArrayRef{4});
             xtorch::as_xtensor<double, 1>(t);
         },
         "xtorch::as_xtensor<double, 1>: the tensor's sizes and strides span more bytes than a tensor can address "
         "(found sizes [4611686018427387904] and strides [4], expected element and byte counts below 2^63). Make "
         "the tensor with sizes and strides that fit its storage."},
        {"tensor", import_fault::self_overlap,
         []
         {
             at::Tensor t = at::zeros({3}, at::kFloat).expand({2, 3});
             xtorch::as_xarray<float>(t);
         },
         "xtorch::as_xarray<float>: more than one element of the written-to tensor may refer to a single memory "
         "location (found sizes [2, 3] and strides [0, 1], expected strides that give each element memory of its "
         "own). Use xtorch::as_xarray<const float>(t) to read it, or xtorch::as_xarray<float>(t.clone()) to write "
         "a copy."},
        {"DLPack tensor", import_fault::self_overlap,
         []
         {
             versioned_dl h({2, 3}, {1, 1});
             xtorch::from_dlpack<double>(&h.managed);
         },
         "xtorch::from_dlpack<double>: more than one element of the written-to DLPack tensor may refer to a single "
         "memory location (found sizes [2, 3] and strides [1, 1], expected strides that give each element memory "
         "of its own). Use xtorch::from_dlpack<const double>(m) to read it, or copy it on the producer's side."},
        {"DLPack tensor", import_fault::negative_stride,
         []
         {
             versioned_dl h({3}, {-1});
             xtorch::from_dlpack<double>(&h.managed);
         },
         "xtorch::from_dlpack<double>: at least one stride in the given DLPack tensor is negative, and tensors "
         "with negative strides are not currently supported (found strides [-1], expected non-negative strides). "
         "Make a contiguous copy on the producer's side first (numpy.ascontiguousarray(a), t.contiguous())."},
        {"DLPack tensor", import_fault::too_large,
         []
         {
             versioned_dl h({std::int64_t(1) << 62, 2}, {4, 1});
             xtorch::from_dlpack<const double>(&h.managed);
         },
         "xtorch::from_dlpack<const double>: the DLPack tensor's sizes and strides span more bytes than a tensor "
         "can address (found sizes [4611686018427387904, 2] and strides [4, 1], expected element and byte counts "
         "below 2^63). Pass a smaller tensor."},
        {"DLPack tensor", import_fault::misaligned,
         []
         {
             versioned_dl h({2}, {1});
             h.managed.dl_tensor.byte_offset = 4;
             xtorch::from_dlpack<double>(&h.managed);
         },
         ""},  // the address differs from run to run: checked apart below
        {"DLPack tensor", import_fault::read_only,
         []
         {
             versioned_dl h({2}, {1});
             h.managed.flags = xtorch::dlpack_flag_read_only;
             xtorch::from_dlpack<double, 1>(&h.managed);
         },
         "xtorch::from_dlpack<double, 1>: the DLPack tensor is read-only (found the read-only flag set, expected "
         "writable memory). Use xtorch::from_dlpack<const double, 1>(m) to read it, or copy it on the producer's "
         "side."},
    };
    // A tensor has no negative strides, is aligned and writable; an expression and a DLPack tensor state no
    // capacity, and the misaligned and read-only expressions are refused at compile time: each source's row
    // covers what it can meet.
    for (const refusal_case& c : cases)
    {
        INFO(c.source << ", fault " << static_cast<int>(c.fault));
        versioned_dl::released() = 0;
        const std::string msg = refusal(c.call);
        if (!c.message.empty())
        {
            REQUIRE(msg == c.message);
        }
        else
        {
            REQUIRE_THAT(msg, text::StartsWith("xtorch::from_dlpack<double>: the DLPack tensor's data is not "
                                               "aligned to its element size (found address "));
            REQUIRE_THAT(msg,
                         text::EndsWith("expected a multiple of 8). Make an aligned copy on the producer's "
                                        "side first."));
        }
        if (std::string(c.source) == "DLPack tensor")
        {
            REQUIRE(versioned_dl::released() == 1);  // a refusing from_dlpack consumes its argument, once
        }
    }
}

TEST_CASE("tensor_over: the one builder keeps its owner until the last tensor is gone, and releases it once",
          "[import][lifetime]")
{
    static int releases = 0;
    releases = 0;
    std::vector<float> memory(12, 2.0f);
    xtorch::detail::strided_source s;
    s.data = memory.data();
    s.g.sizes = {3, 2};
    s.g.strides = {4, 1};
    s.offset = 1;
    s.itemsize = sizeof(float);
    s.dtype = at::kFloat;
    REQUIRE(xtorch::detail::settle_source(s, true) == import_fault::none);
    REQUIRE(s.g.span == 10);
    at::Tensor slice;
    {
        at::Tensor t = xtorch::detail::tensor_over(s, {&memory, [](void*) { ++releases; }});
        REQUIRE(t.data_ptr() == memory.data() + 1);
        REQUIRE(t.strides() == at::IntArrayRef({4, 1}));
        REQUIRE(t.storage().nbytes() == (1 + 10) * sizeof(float));
        slice = t.select(0, 2);
    }
    REQUIRE(releases == 0);
    REQUIRE(read_raw<float>(slice, 1) == 2.0f);
    slice = at::Tensor();
    REQUIRE(releases == 1);
}

TEST_CASE("call_site: a call named as written, without parsing", "[import][refusal]")
{
    using xtorch::detail::call_site;
    REQUIRE(call_site("xtorch::to_tensor").text() == "xtorch::to_tensor");
    REQUIRE(call_site::of<const float>("xtorch::as_xarray").text() == "xtorch::as_xarray<const float>");
    constexpr auto parameter = call_site::of<std::int32_t>("xtensor_view", 2).as_parameter();
    REQUIRE(parameter.text() == "xtensor_view<std::int32_t, 2> parameter");
    REQUIRE(parameter.with_element("double").any_rank().text() == "xtensor_view<double> parameter");
    REQUIRE(std::string(xtorch::detail::cpp_name_of(at::kHalf)) == "c10::Half");
    REQUIRE(xtorch::detail::cpp_name_of(at::kQInt8) == nullptr);
}
